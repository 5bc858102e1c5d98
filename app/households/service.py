"""Households: the unit the teams visit. Counts, not a register of persons (DOMAIN.md)."""

import uuid
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Integer, Select, String, bindparam, cast, func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz import scope
from app.authz.permissions import Permission as P
from app.authz.principal import Principal
from app.core.config import get_settings
from app.core.driver import driver
from app.core.errors import Invalid, NotFound
from app.core.search import like_pattern
from app.core.search import template as search_template
from app.households import rules
from app.households.schemas import HouseholdRead
from app.kpi import aggregates, observations
from app.models import Household, HouseholdStats, Member, Unit
from app.models.base import utcnow
from app.records import Permissions, Resource, Write, reads

VNEID_FIELDS = frozenset({"adults_vneid", "adults_signature", "observed_at"})
FILTERS = ("informed", "has_digital_member", "is_business", "needs_assistance", "assigned_member_id")
ORDER = [Household.sort_key, Household.id]


class Households(Resource):
    name, label, model, read = "household", "Household", Household, HouseholdRead
    dated_by = "observed_at"  # a closed unit takes it only when dated by its close
    deferred = True  # a visit's row goes with its observation, aggregates and audit row
    permissions = Permissions(
        P.households_read,
        P.households_manage,
        update_with=P.households_update,
        export_with=P.households_export,  # the list as a file: not a team member's
    )
    levels = ("village",)
    required = ("unit_id", "head_name", *rules.FACT_FIELDS)
    personal = rules.WITHOUT_PERSONAL

    def update_permission(self, changes: dict[str, Any]) -> P:
        """The VNeID and signature counts alone need households:vneid (the commune police's key, plan
        004); a visit (counts, flags, note) households:update; anything else households:manage."""
        if changes.keys() <= VNEID_FIELDS:
            return P.households_vneid
        return P.households_update if changes.keys() <= rules.VISIT_FIELDS else P.households_manage

    async def rules(self, w: Write) -> dict[str, Any]:
        values, session = w.values, w.session
        problems = rules.count_problems(values)
        if (code := values.get("code")) and await _code_taken(session, w.unit.id, code, w.obj):
            problems.append(rules.code_taken(code))
        if (member_id := values.get("assigned_member_id")) is not None:
            path = await session.scalar(
                select(Unit.path)
                .join(Member, Member.unit_id == Unit.id)
                .where(Member.id == member_id, Member.deleted_at.is_(None))
            )
            if (problem := rules.assignable(path, w.unit.path)) is not None:
                problems.append(problem)
        changed = w.changes.keys() if w.before is not None else w.values.keys()
        problems += rules.consent_problems(values, changed, get_settings().require_consent)
        if problems:
            raise Invalid.fields(problems)
        if w.before is not None and await observations.seen_after(
            session, w.obj.id, w.changes.get("observed_at")
        ):
            # Older than what the household shows: kept in its history, the current counts stay.
            return derived(values) | {f: getattr(w.before, f) for f in ("unit_id", *rules.FACT_FIELDS)}
        return derived(values)

    def replay_ignore(self, data: Any) -> set[str]:
        return {"observed_at"}  # when the facts were seen is kept in the history, not on the record

    async def save_children(self, w: Write, record_id: uuid.UUID) -> bool:
        """A visit dated by the phone is an observation even when it changes nothing on the record (it
        may be older than the record's counts): `written` keeps it."""
        return w.changes.get("observed_at") is not None

    async def written(self, w: Write, before: Any, after: Any) -> list | None:
        """Every change of the counts or the village, and every dated visit, is an observation of the
        household at the moment it was seen (`app.kpi.observations`); a deletion ends its history."""
        if after is None:
            await aggregates.household_ended(w.session, before.id, utcnow())
        elif before is None or w.changes.get("observed_at") is not None or _observed(before, after):
            facts = SimpleNamespace(**(w.values | {"unit_id": w.unit.id}))
            at = w.changes.get("observed_at") or utcnow()
            return await aggregates.household_observed(w.session, after.id, facts, at)
        return None


HOUSEHOLDS = Households()


def derived(values: dict[str, Any]) -> dict[str, Any]:
    """What a household's fields make of it: its search text and sort key."""
    text = rules.search_text(
        values["head_name"], values.get("code"), values.get("phone"), values.get("address")
    )
    return {"search_text": text, "sort_key": rules.sort_key(values["head_name"])}


def _observed(before: Any, after: Any) -> bool:
    return any(
        getattr(before, f) != getattr(after, f) for f in ("unit_id", "assigned_member_id", *rules.FACT_FIELDS)
    )


async def _code_taken(session: AsyncSession, unit_id: uuid.UUID, code: str, other: Household | None) -> bool:
    query = select(Household.id).where(
        Household.unit_id == unit_id, Household.code == code, Household.deleted_at.is_(None)
    )
    if other is not None:
        query = query.where(Household.id != other.id)
    return (await session.scalar(query.limit(1))) is not None


# --- the list: the hottest read of the field ------------------------------------------------------

_UUIDS = {"id", "unit_id", "assigned_member_id"}
# Built once: a select of 27 columns costs more to build than to run. On PostgreSQL uuids leave as
# text: the same JSON, and serializing asyncpg's own UUID class is 3× slower.
_PAGE = select(*Households.read_columns())
_PG_PAGE = select(
    *(cast(c, String).label(c.key) if c.key in _UUIDS else c for c in Households.read_columns())
)
_UNIT_PATH = select(Unit.path).where(Unit.id == bindparam("unit_id"))
_KEYS = tuple(HouseholdRead.model_fields)


@lru_cache(maxsize=256)
def _statements(
    shape: tuple, filters: tuple[str, ...], search: bool, narrow: bool, pg: bool
) -> tuple[Select, Select]:
    """The count, and the page with the count as its rows' last column (`reads.with_total`), for every
    list of this shape, values left as parameters: built and compiled once, not per request
    (building them cost more than running them).

    A search within a commune or below (`narrow`) reads that area's rows by their unit and filters
    them; the trigram index would read the whole country's entries for syllables as common as
    "van" or "an" (a commune's search on 1M households: 315 ms through it, 19.5 ms without). `|| ''`
    keeps the planner off it."""
    searched = Household.search_text + literal_column("''") if narrow else Household.search_text
    where = [
        *HOUSEHOLDS.live(),
        scope.template(shape, Household.unit_id),
        *(getattr(Household, name) == bindparam(name) for name in filters),
        *([search_template(searched)] if search else []),
    ]
    count, rows = reads.statements(
        HOUSEHOLDS,
        where,
        ORDER,
        bindparam("limit", type_=Integer),
        bindparam("offset", type_=Integer),
        _PG_PAGE if pg else _PAGE,
        keys_first=True,  # ix_households_unit_id_sort_key holds the scope and the order
        units=scope.units_template(shape) if pg and shape != (None, False) else None,  # merged per unit
    )
    if not filters and not search:
        # Nothing narrows the list: its total is the villages' maintained counts (a few rows), not a
        # count of up to thousands of households per request (issue 11: a commune page).
        count = select(func.coalesce(func.sum(HouseholdStats.households), 0)).where(
            scope.template(shape, HouseholdStats.unit_id)
        )
    return count, reads.with_total(rows, count)


def unnarrowed(q: str | None, filters: dict[str, Any]) -> bool:
    """Nothing narrows the list: no search, no filter. Its total is then the villages' maintained
    counts (`_statements`), and its page's statement may keep PostgreSQL's generic plan
    (`reading(keep_plans=True)`: the same plan, made once, not for each page; ~12 % more pages a
    second for a commune, ~27 % for a village, bench/README.md). A search's or a filter's is planned
    for its values."""
    return like_pattern(q) is None and all(value is None for value in filters.values())


async def list_households(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    q: str | None,
    filters: dict[str, Any],
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """A page of HouseholdList's shape as plain data, to be serialized once (no model per row).

    On PostgreSQL the statements run on the driver (`app.core.driver`): the same statements, with the
    same scope filter, as on SQLite."""
    scope.require_somewhere(principal, HOUSEHOLDS.permissions.read)
    pg = await driver(session) if session.bind.dialect.name == "postgresql" else None
    within = None
    if unit_id is not None:
        params = {"unit_id": unit_id}
        within = await (pg.fetchval(_UNIT_PATH, **params) if pg else session.scalar(_UNIT_PATH, params))
        if within is None or not scope.sees(principal, within):
            raise NotFound("Unit not found")
    seen = scope.scope_of(principal, HOUSEHOLDS.permissions.read, within)
    filters = {name: value for name, value in filters.items() if value is not None}
    pattern = like_pattern(q)
    search = pattern is not None
    count, rows = _statements(seen.shape, tuple(filters), search, search and seen.narrow, pg is not None)
    params = seen.params() | filters | {"q": pattern, "limit": limit, "offset": offset}
    found = await pg.fetch(rows, **params) if pg else list(await session.execute(rows, params))
    total = await reads.total_of(
        found, offset, lambda: pg.fetchval(count, **params) if pg else session.scalar(count, params)
    )
    items = reads.shown_rows(
        principal, HOUSEHOLDS, [dict(zip(_KEYS, row[:-1], strict=True)) for row in found]
    )
    query = filters | {"unit_id": unit_id, "q": q, "limit": limit, "offset": offset}
    reads.noted(principal, HOUSEHOLDS, [item["id"] for item in items], query, unit_id)
    return {"items": items, "total": total, "limit": limit, "offset": offset}
