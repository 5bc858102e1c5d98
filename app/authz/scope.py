"""The one scope module: a principal becomes the set of units it may see, and that set becomes a WHERE
clause. Nothing else writes a subtree predicate; everything scoped goes through here.

Out of the caller's area a record does not exist (404); inside it, a missing permission is 403.
"""

import uuid
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Boolean, ColumnElement, Select, bindparam, false, literal, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.visitors import InternalTraversal

from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.core.errors import Forbidden, NotFound
from app.models import Unit


def under(path: str) -> ColumnElement[bool]:
    """The units of the subtree rooted at the unit at `path`, itself included: the one subtree
    predicate (materialized path, the same on both databases). The country (the empty path) holds
    every unit: no predicate, so a national count reads the units without testing 100,000 paths."""
    return _Prefixed(literal(path, Unit.path.type), literal(_end(path), Unit.path.type)) if path else true()


class _Prefixed(ColumnElement[bool]):
    """A unit's path starts with a prefix, written as the range [prefix, `_end(prefix)`), which the
    path's index bounds in any plan. `LIKE $1 || '%'` it bounded only in a plan made for the value:
    SQLite never bounded it (12.5 ms against 0.004 for a subtree among ~103,000 units), and on
    PostgreSQL a generic plan, which it may keep for a statement run more than five times, read every
    unit (46 ms against 0.05), which is why the engine plans every statement for its values
    (`plan_cache_mode`, `app.core.db`)."""

    __visit_name__ = "prefixed"
    inherit_cache = True
    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: no `= 1` after it on SQLite
    _traverse_internals = [
        ("low", InternalTraversal.dp_clauseelement),
        ("high", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, low: ColumnElement[str], high: ColumnElement[str]) -> None:
        self.low, self.high = low, high


def _range(element: _Prefixed, compiler, *, at_least: str, below: str, **kw) -> str:
    path, low, high = (compiler.process(e, **kw) for e in (Unit.path, element.low, element.high))
    return f"({path} {at_least} {low} AND {path} {below} {high})"


compiles(_Prefixed)(partial(_range, at_least=">=", below="<"))
# The operators of the path's index on PostgreSQL (`varchar_pattern_ops`: bytewise, whatever the collation).
compiles(_Prefixed, "postgresql")(partial(_range, at_least="~>=~", below="~<~"))


def _end(prefix: str) -> str:
    """The first string after every string that starts with `prefix` (a path's last character is
    `/`: its end is the prefix with a `0` instead). The empty prefix's end is past every path (hex
    and `/`)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1) if prefix else "\x7f"


def within_path(path: str, root: str) -> bool:
    """The unit at `path` lies in the subtree of the unit at `root` (itself included)."""
    return path.startswith(root)


def related(path: str, other: str) -> bool:
    """One of the two units lies in the other's subtree: a village and its commune, say."""
    return path.startswith(other) or other.startswith(path)


def holds(unit_id: uuid.UUID, path: str) -> bool:
    """The unit `unit_id` is the unit at `path` or one above it, read off the path (no query)."""
    return unit_id.hex in path.split("/")


def lineage(path: str) -> list[uuid.UUID]:
    """The ids of a unit's ancestors and itself, root first, read off its materialized path."""
    return [uuid.UUID(hex=segment) for segment in path.split("/") if segment]


@dataclass(frozen=True, slots=True)
class Scope:
    """The units a caller may see (through grants holding one permission, when one is named): subtrees
    by path prefix, `None` meaning everywhere; narrowed to the subtree at `within`; widened, for what
    is organised higher up and read from below (campaigns), by the units strictly above them."""

    paths: tuple[str, ...] | None
    within: str | None = None
    above: frozenset[uuid.UUID] = frozenset()

    @property
    def shape(self) -> tuple[int | None, bool]:
        """What the WHERE clause looks like whatever the values: scopes of one shape share one
        statement (`template`), and a hot read compiles it once."""
        return (None if self.paths is None else len(self.paths), self.within is not None)

    @property
    def depth(self) -> int:
        """The level of its widest subtree: 0 everywhere, 1 a province, 2 a commune, 3 a village."""
        if self.within is not None:
            return self.within.count("/")
        return 0 if self.paths is None else min((p.count("/") for p in self.paths), default=3)

    @property
    def narrow(self) -> bool:
        """A commune or below: its rows are a sliver of a table's, best found by their unit (an index
        that leads with it) than among the whole table's (a search's trigrams, a feed's times)."""
        return self.depth >= 2

    def params(self) -> dict[str, str]:
        """The values of the shape's template: each path prefix (`scope_0`…, `scope_within`) and its
        range's end (`…_end`)."""
        named = {f"scope_{i}": path for i, path in enumerate(self.paths or ())}
        if self.within is not None:
            named["scope_within"] = self.within
        return named | {f"{name}_end": _end(path) for name, path in named.items()}

    def units(self) -> Select:
        """The ids of the units in scope (without the units above)."""
        return _units(self.shape, self.params())

    def where(self, unit_column: ColumnElement) -> ColumnElement[bool]:
        """The row's unit (`unit_column`) is in scope."""
        clause = _where(self.shape, unit_column, self.params())
        return or_(clause, unit_column.in_(sorted(self.above))) if self.above else clause


def template(shape: tuple[int | None, bool], unit_column: ColumnElement) -> ColumnElement[bool]:
    """`Scope.where` for every scope of `shape` (without units above), its values left as parameters
    named as `Scope.params()` names them."""
    return _where(shape, unit_column, None)


def units_template(shape: tuple[int | None, bool]) -> Select:
    """`Scope.units` for every scope of `shape`, its values left as parameters (as `template`)."""
    return _units(shape, None)


def _units(shape: tuple[int | None, bool], values: dict[str, str] | None) -> Select:
    def prefix(name: str) -> ColumnElement[bool]:
        low, high = (
            bindparam(key, type_=Unit.path.type)
            if values is None
            else bindparam(key, values[key], type_=Unit.path.type, unique=True)
            for key in (name, f"{name}_end")
        )
        return _Prefixed(low, high)

    count, within = shape
    condition = (
        true() if count is None else or_(*(prefix(f"scope_{i}") for i in range(count))) if count else false()
    )
    return select(Unit.id).where(condition & prefix("scope_within") if within else condition)


def _where(shape: tuple[int | None, bool], unit_column: ColumnElement, values: dict[str, str] | None):
    return true() if shape == (None, False) else unit_column.in_(_units(shape, values))


def scope_of(
    principal: Principal,
    permission: Permission | None = None,
    within: str | None = None,
    *,
    from_below: bool = False,
) -> Scope:
    """The caller's scope with `permission` (any role when None), under the unit at path `within`
    when given; with `from_below`, also the units above the caller's own (a province campaign is its
    villages' too)."""
    paths = principal.scope_paths(permission)
    above: set[uuid.UUID] = set()
    if from_below and paths is not None:
        for path in paths:
            ids = lineage(path)[:-1]
            for depth, unit_id in enumerate(ids, 1):
                prefix = "".join(f"{i.hex}/" for i in ids[:depth])
                if within is None or prefix.startswith(within):
                    above.add(unit_id)
    if within is not None and paths is not None:
        if any(within.startswith(p) for p in paths):
            paths = None  # `within` lies in scope: its subtree is the whole answer
        else:  # the parts of the scope under `within` are
            paths, within = [p for p in paths if p.startswith(within)], None
    return Scope(None if paths is None else tuple(paths), within, frozenset(above))


def _path(unit: Unit | None) -> str | None:
    return unit.path if unit is not None else None


def in_scope(
    unit_column: ColumnElement,
    principal: Principal,
    within: Unit | None = None,
    permission: Permission | None = None,
) -> ColumnElement[bool]:
    """A WHERE clause: the row's unit lies in the caller's scope (where it holds `permission`, when
    given), and under `within` when given."""
    return scope_of(principal, permission, _path(within)).where(unit_column)


# --- one record ---------------------------------------------------------------------------------


def _covers(principal: Principal, path: str, permission: Permission | None = None) -> bool:
    """The unit at `path` contains a unit where the caller holds `permission` (any role when None)."""
    paths = principal.scope_paths(permission)
    return paths is None or any(p.startswith(path) for p in paths)


def sees(principal: Principal, path: str, *, from_below: bool = False) -> bool:
    """The caller's area holds the unit at `path` (or, `from_below`, lies under it)."""
    return principal.sees(path) or (from_below and _covers(principal, path))


def may(
    principal: Principal, permission: Permission, path: str, *, from_below: Permission | None = None
) -> bool:
    """The caller holds `permission` at the unit at `path`; `from_below` names the one permission that
    also holds from the units below (reading a campaign organised higher up)."""
    return principal.can(permission, path) or (
        permission is from_below and _covers(principal, path, permission)
    )


def denied(permission: Permission) -> Forbidden:
    """The 403 for a permission the caller lacks (inside its area)."""
    return Forbidden(f"Your role does not allow {permission.value} here")


def check(
    principal: Principal,
    permission: Permission,
    path: str | None,
    label: str,
    *,
    from_below: Permission | None = None,
) -> None:
    """404 when the record at `path` (None: absent) is out of the caller's sight, 403 when the caller
    sees it but lacks `permission` there: in that order, so nothing about it leaks."""
    if path is None or not sees(principal, path, from_below=from_below is not None):
        raise NotFound(f"{label} not found")
    if not may(principal, permission, path, from_below=from_below):
        raise denied(permission)


def require(principal: Principal, permission: Permission, unit: Unit | None) -> None:
    """403 when the caller lacks the permission at `unit` (None is the root: admins only)."""
    if not principal.can(permission, unit.path if unit is not None else ""):
        raise denied(permission)


def require_somewhere(principal: Principal, permission: Permission) -> None:
    """403 when the caller holds `permission` nowhere (a list it may not read at all)."""
    if not principal.can(permission):
        raise denied(permission)


# --- units named by a request -------------------------------------------------------------------


async def get_unit_in_scope(
    session: AsyncSession, principal: Principal, unit_id, needs: Permission | None = None
) -> Unit:
    """A unit the caller may see, or 404: outside the caller's area a unit does not exist. With
    `needs`, also 403 unless the caller holds that permission there."""
    unit = await session.get(Unit, unit_id)
    if unit is None or not principal.sees(unit.path):
        raise NotFound("Unit not found")
    if needs is not None:
        require(principal, needs, unit)
    return unit


# The country: the root above the provinces. No row holds it; it is a transient unit with the empty
# path (the prefix of every path), named by a well-known id in the reads that sum a subtree (KPIs,
# rankings of the provinces, trends). Only a grant at no unit covers it: an admin's, a ministry viewer's.
COUNTRY_ID = uuid.UUID(int=0)


def country() -> Unit:
    """The country as a unit, never stored: its children are the provinces."""
    return Unit(id=COUNTRY_ID, code="VN", name="Cả nước", name_folded="ca nuoc", level="country", path="")


async def get_area_in_scope(
    session: AsyncSession, principal: Principal, unit_id, needs: Permission | None = None
) -> Unit:
    """`get_unit_in_scope`, or the country for `COUNTRY_ID`: for a caller below it, it does not exist
    (404), as any unit out of its area."""
    if unit_id != COUNTRY_ID:
        return await get_unit_in_scope(session, principal, unit_id, needs)
    if not principal.sees(""):
        raise NotFound("Unit not found")
    root = country()
    if needs is not None:
        require(principal, needs, root)
    return root


def unknown(label: str, loc: list[str | int], code: str) -> NotFound:
    """The 404 for a record a request body names that the caller cannot see (or that exists nowhere:
    the same answer, so nothing leaks), with the body's field in `errors[].loc` and a machine code."""
    detail = f"{label} does not exist"
    return NotFound(detail, errors=[{"loc": loc, "msg": detail, "code": code}], code=code)


async def unit_in_body(
    session: AsyncSession, principal: Principal, unit_id, field: str = "unit_id", label: str = "The unit"
) -> Unit:
    """A unit a request body names: outside the caller's area it does not exist, 404 `unit.unknown`
    (API.md), as for an id that exists nowhere."""
    try:
        return await get_unit_in_scope(session, principal, unit_id)
    except NotFound:
        raise unknown(label, ["body", field], "unit.unknown") from None


async def list_scope(
    session: AsyncSession, principal: Principal, permission: Permission, unit_id
) -> Unit | None:
    """For a list: 403 when the caller holds `permission` nowhere; the `?unit_id=` filter's unit
    (404 outside the caller's area), or None when there is no filter."""
    require_somewhere(principal, permission)
    return await get_unit_in_scope(session, principal, unit_id) if unit_id else None
