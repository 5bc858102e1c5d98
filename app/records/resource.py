"""A synced record described once: what it is, who may do what, where it may live, its own rules and
what follows a write. `app.records.writes` and `app.records.reads` do everything else, in one order.

A domain subclasses `Resource`, sets the class attributes and overrides the hooks it needs.
"""

import functools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import BaseModel
from pydantic_core import PydanticUndefined
from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import unit_in_body
from app.core.errors import Invalid
from app.models import Unit


@dataclass(frozen=True, slots=True)
class Permissions:
    """What reading a record needs, and what writing it needs (`manage`), unless creating or
    updating it needs less (a team member records activities and updates households)."""

    read: Permission
    manage: Permission
    create_with: Permission | None = None
    update_with: Permission | None = None
    export_with: Permission | None = None  # the whole list as a file, when it needs more than reading

    @property
    def create(self) -> Permission:
        return self.create_with or self.manage

    @property
    def update(self) -> Permission:
        return self.update_with or self.manage

    @property
    def delete(self) -> Permission:
        return self.manage

    @property
    def export(self) -> Permission:
        return self.export_with or self.read


@dataclass(slots=True)
class Write:
    """One write in progress, as the hooks see it.

    `changes` is what the body sets (on a create, the whole body); `values` the whole record as it
    will be (filled once the record is located); `before` the record as it was (None on a create);
    `obj` the stored row (None on a create); `unit` where the record lives (after the write)."""

    session: AsyncSession
    principal: Principal
    resource: "Resource"
    changes: dict[str, Any]
    unit: Unit | None = None
    obj: Any = None
    before: BaseModel | None = None
    values: dict[str, Any] = field(default_factory=dict)
    if_match: int | None = None

    @property
    def changed(self) -> set[str]:
        """The fields whose value differs from before (every field sent, on a create)."""
        if self.before is None:
            return set(self.changes)
        old = self.before.model_dump()
        return {k for k, v in self.changes.items() if old.get(k) != v}


class Resource:
    name: ClassVar[str]  # in the audit log: "household"
    label: ClassVar[str]  # in messages: "Household not found"
    model: ClassVar[type]  # the table
    read: ClassVar[type[BaseModel]]  # what GET answers, a replay compares and the audit snapshots
    permissions: ClassVar[Permissions]
    levels: ClassVar[tuple[str, ...]] = ()  # the unit levels it may live at; empty: any
    required: ClassVar[tuple[str, ...]] = ()  # fields an update may not set to null
    tombstones: ClassVar[bool] = True  # a delete leaves a tombstone in the change feed; else it is gone
    from_below: ClassVar[bool] = False  # also readable from the units below its own (campaigns)
    lock_on_fetch: ClassVar[bool] = True  # lock the row when fetched to write; False: `locate` locks
    audit_exclude: ClassVar[frozenset[str]] = frozenset()  # derived fields the audit leaves out
    # The field that dates a record (`occurred_at`, `held_on`, a period, a year): a closed unit takes
    # only records dated by its close (app.records.closed). None: a record is dated when written.
    dated_by: ClassVar[str | None] = None
    # A written record's row (its INSERT, or its changed columns' UPDATE) goes to the database with
    # its aggregates and audit row, in one round trip (`app.core.batch`): only for a record with no
    # children and whose `written` needs nothing of its row in the database before then (an
    # activity, a household's visit); otherwise the row is written first.
    deferred: ClassVar[bool] = False
    # Personal data (Law 91/2025/QH15): each personal field and what stands in its place when it is
    # withheld or erased. Reading them is noted in the access log (app.privacy.access).
    personal: ClassVar[dict[str, Any]] = {}

    # --- derived from the description ---------------------------------------------------------

    @classmethod
    def read_columns(cls) -> list[ColumnElement]:
        """The table's columns that the read schema shows, in its order."""
        columns = cls.model.__table__.c
        return [getattr(cls.model, name) for name in cls.read.model_fields if name in columns]

    @classmethod
    def stored(cls, values: dict[str, Any]) -> dict[str, Any]:
        """The values that are columns of the table (not `member_ids` and other derived lists)."""
        columns = cls.model.__table__.c
        return {k: v for k, v in values.items() if k in columns}

    @classmethod
    def new_row(cls, record_id: uuid.UUID, values: dict[str, Any]) -> dict[str, Any]:
        """A new record's row: every column, from `values` or the model's default (a dict, not a model
        instance: the ORM's instrumentation cost more than the INSERT's statement)."""
        row = {key: values[key] if key in values else default() for key, default in _defaults(cls.model)}
        row["id"] = record_id
        return row

    def live(self) -> list[ColumnElement[bool]]:
        """What a row needs to exist: not deleted."""
        return [self.model.deleted_at.is_(None)] if self.tombstones else []

    def snapshot(self, read: BaseModel) -> dict[str, Any]:
        """The audit's JSON picture of a record."""
        return read.model_dump(mode="json", exclude=set(self.audit_exclude))

    # --- hooks --------------------------------------------------------------------------------

    def update_permission(self, changes: dict[str, Any]) -> Permission:
        """The permission an update of these fields needs."""
        return self.permissions.update

    def replay_ignore(self, data: BaseModel) -> set[str]:
        """Fields a repeated create may send that the stored record legitimately shows otherwise."""
        return set()

    async def locate(self, w: Write) -> Unit:
        """The unit the record will live in: the body's `unit_id` (one out of the caller's sight does
        not exist, 404), at one of `levels`. An update that does not move the record keeps its unit."""
        unit_id = w.changes.get("unit_id")
        if w.unit is not None and (unit_id is None or unit_id == w.unit.id):
            return w.unit
        unit = await unit_in_body(w.session, w.principal, unit_id)
        if self.levels and unit.level not in self.levels:
            where = " or ".join(f"a {level}" for level in self.levels)
            raise Invalid(
                f"{self.label} belongs to {where}, not a {unit.level}",
                loc=["body", "unit_id"],
                code="unit.wrong_level",
            )
        return unit

    async def rules(self, w: Write) -> dict[str, Any]:
        """The record's own rules on `w.values` (raise Invalid or Conflict); returns values to set
        besides the body's (derived fields)."""
        return {}

    async def present(self, session: AsyncSession, rows: Sequence[Any]) -> list[BaseModel]:
        """Rows (ORM objects or selected rows) as read models, derived fields included, in one go."""
        return [self.read.model_validate(row, from_attributes=True) for row in rows]

    async def save_children(self, w: Write, record_id: uuid.UUID) -> bool:
        """Write what lives in other tables (attendees, members on duty); True when it changed."""
        return False

    async def removing(self, w: Write) -> None:
        """Before a delete: refuse it (Conflict), or take along what goes with the record."""

    async def written(self, w: Write, before: BaseModel | None, after: BaseModel | None) -> list | None:
        """After a write, in the same transaction: keep aggregates current (None: absent or deleted).
        May return writes that need nothing back, sent with the audit row in one round trip
        (`app.core.batch`)."""


@functools.cache
def _defaults(model: type) -> tuple[tuple[str, Callable[[], Any]], ...]:
    """Each column of the model's table and what makes its default (pydantic's own `get_default`
    inspects the factory's signature on every call)."""
    fields = model.model_fields
    return tuple(
        (column.key, _default_of(fields[column.key].default_factory, fields[column.key].default))
        for column in model.__table__.columns
    )


def _default_of(factory: Callable[[], Any] | None, default: Any) -> Callable[[], Any]:
    if factory is not None:
        return factory
    value = None if default is PydanticUndefined else default
    return lambda: value
