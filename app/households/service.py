"""Households: the unit the teams visit. Counts, not a register of persons."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record, snapshot
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import list_scope, require, unit_in_body
from app.core.errors import Forbidden, Invalid
from app.core.feed import page_of_changes
from app.core.ids import uuid7
from app.core.resource import apply_changes, fetch, replay, soft_delete
from app.core.versioning import check_version
from app.households import repository
from app.households.schemas import (
    FACT_FIELDS,
    HouseholdCreate,
    HouseholdRead,
    HouseholdUpdate,
    rule_errors,
)
from app.kpi import aggregates
from app.models import Household, Member, Unit

LABEL = "Household"
# What a team member may change on a visit; everything else needs households:manage.
VISIT_FIELDS = {*FACT_FIELDS, "last_visit_at", "note"}


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
    """A page of HouseholdList's shape as plain data, to be serialized once: the rows come typed by
    the database columns, so validating them into models first would only double the work."""
    if not principal.can(Permission.households_read):
        raise Forbidden("Your role does not allow households:read")
    items, total = await repository.list_households(
        session, principal, unit_id=unit_id, q=q, filters=filters, limit=limit, offset=offset
    )
    return {"items": items, "total": total, "limit": limit, "offset": offset}


async def household_changes(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    since: datetime | None,
    cursor: str | None,
    limit: int,
) -> dict[str, Any]:
    within = await list_scope(session, principal, Permission.households_read, unit_id)
    rows = await repository.changes(
        session, principal, within=within, since=since, cursor=cursor, limit=limit
    )
    return page_of_changes(rows, limit, cursor, lambda r: HouseholdRead.model_validate(r._mapping))


async def get_household(session: AsyncSession, principal: Principal, household_id: uuid.UUID) -> Household:
    household, _ = await fetch(
        session, principal, Household, household_id, Permission.households_read, label=LABEL
    )
    return household


async def create_household(
    session: AsyncSession, principal: Principal, data: HouseholdCreate
) -> tuple[Household, bool]:
    if (existing := await replay(session, principal, Household, data, HouseholdRead)) is not None:
        return existing, False
    village = await _village(session, principal, data.unit_id)
    require(principal, Permission.households_manage, village)
    values = data.model_dump(exclude={"id"})
    await _check(session, values, village, other_than=None)
    household = Household(
        id=data.id or uuid7(),
        **values,
        search_text=repository.search_text(data.head_name, data.code, data.phone),
    )
    session.add(household)
    await session.flush()
    await aggregates.household_changed(session, None, household)
    record(
        session,
        principal,
        "create",
        "household",
        household.id,
        unit_id=village.id,
        after=snapshot(HouseholdRead.model_validate(household)),
    )
    return household, True


async def update_household(
    session: AsyncSession,
    principal: Principal,
    household_id: uuid.UUID,
    data: HouseholdUpdate,
    if_match: int | None,
) -> Household:
    household, unit = await fetch(
        session, principal, Household, household_id, Permission.households_update, label=LABEL, lock=True
    )
    changes = data.model_dump(exclude_unset=True)
    for field in ("unit_id", "head_name", *FACT_FIELDS):  # every count and flag: never null
        if field in changes and changes[field] is None:
            raise Invalid(f"{field} cannot be null", loc=["body", field])
    if set(changes) - VISIT_FIELDS:
        require(principal, Permission.households_manage, unit)
    check_version(household, if_match)
    village = unit
    if "unit_id" in changes and changes["unit_id"] != household.unit_id:
        village = await _village(session, principal, changes["unit_id"])
        require(principal, Permission.households_manage, village)
    before = HouseholdRead.model_validate(household)
    merged = before.model_dump() | changes
    await _check(session, merged, village, other_than=household.id)
    changes["search_text"] = repository.search_text(merged["head_name"], merged["code"], merged["phone"])
    if apply_changes(household, changes):
        await session.flush()
        await aggregates.household_changed(session, before, household)
        record(
            session,
            principal,
            "update",
            "household",
            household.id,
            unit_id=household.unit_id,
            before=snapshot(before),
            after=snapshot(HouseholdRead.model_validate(household)),
        )
    return household


async def delete_household(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID, if_match: int | None
) -> None:
    household, _ = await fetch(
        session, principal, Household, household_id, Permission.households_manage, label=LABEL, lock=True
    )
    await soft_delete(session, principal, household, HouseholdRead, "household", if_match)
    await aggregates.household_changed(session, household, None)


async def _village(session: AsyncSession, principal: Principal, unit_id: uuid.UUID) -> Unit:
    """A household lives in a village the caller can see."""
    unit = await unit_in_body(session, principal, unit_id)
    if unit.level != "village":
        raise Invalid("A household lives in a village, not a province or commune", loc=["body", "unit_id"])
    return unit


async def _check(
    session: AsyncSession, values: dict[str, Any], village: Unit, other_than: uuid.UUID | None
) -> None:
    problems = rule_errors(values)
    if values.get("code") and await repository.code_taken(session, village.id, values["code"], other_than):
        problems.append(("code", f"code {values['code']!r} is already used in this village"))
    if (member_id := values.get("assigned_member_id")) is not None:
        member = await session.get(Member, member_id)
        member_unit = (
            await session.get(Unit, member.unit_id) if member and member.deleted_at is None else None
        )
        if member_unit is None or not village.path.startswith(member_unit.path):
            problems.append(
                ("assigned_member_id", "the assigned member must be in a team of this village or commune")
            )
    if problems:
        raise Invalid.fields(problems)
