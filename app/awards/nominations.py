"""Proposals for an award (plan 000 IV.7 and IV.1): a team leader (a village head) or an officer
proposes a member, a team or an initiative of the award's area with the reason; the commune (who
manages the award) accepts or rejects each; the Chairman's decision (number, date) honours the
accepted ones, after which nothing changes. A proposal lives at its nominee's unit: a leader sees and
proposes those of its own village."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record
from app.authz.permissions import Permission as P
from app.authz.principal import Principal
from app.authz.scope import in_scope, require, require_somewhere, unknown, within_path
from app.awards.initiatives import visible_initiative
from app.awards.schemas import AwardDecision, NominationList, NominationRead, NominationReview
from app.awards.service import AWARDS, undecided
from app.core.errors import Conflict, Invalid
from app.core.versioning import check_version
from app.models import Award, Member, Team, Unit
from app.models.award import AwardNomination
from app.records import Permissions, Resource, Write, change, fetch

IDS = {"member": "member_id", "team": "team_id", "initiative": "initiative_id"}
ORDER = [AwardNomination.kind, AwardNomination.name, AwardNomination.id]


class Nominations(Resource):
    name, label, model, read = "award_nomination", "Proposal", AwardNomination, NominationRead
    # Reading proposals names people: members:read; proposing: awards:propose at the nominee's unit.
    permissions = Permissions(P.members_read, P.awards_propose)
    tombstones = False

    async def locate(self, w: Write) -> Unit:
        """The nominee's unit: a member, a team or an initiative the caller can see (404 otherwise)."""
        kind = w.changes["kind"]
        field = IDS[kind]
        others = [name for name in IDS.values() if name != field and w.changes.get(name) is not None]
        if w.changes.get(field) is None or others:
            raise Invalid(
                f"A {kind} proposal names its {field} and nothing else",
                loc=["body", field],
                code="nomination.nominee",
            )
        nominee_id = w.changes[field]
        if kind == "member":
            row = await _nominee(w, Member, nominee_id, Member.full_name, P.members_read)
        elif kind == "team":
            row = await _nominee(w, Team, nominee_id, Team.name, P.teams_read)
        else:
            initiative = await visible_initiative(w.session, w.principal, nominee_id)
            row = (initiative.title, await w.session.get(Unit, initiative.unit_id)) if initiative else None
        if row is None:
            raise unknown(f"The {kind}", ["body", field], f"{kind}.unknown")
        w.values["name"], unit = row
        return unit

    async def rules(self, w: Write) -> dict[str, Any]:
        award = await w.session.get(Award, w.values["award_id"])
        undecided(award)
        award_unit = await w.session.get(Unit, award.unit_id)
        if not within_path(w.unit.path, award_unit.path):
            raise Invalid(
                f"{w.values['name']} is not in {award_unit.name}: the award honours its own area",
                loc=["body", IDS[w.values["kind"]]],
                code="nomination.outside_award",
            )
        field = IDS[w.values["kind"]]
        same = await w.session.scalar(
            select(AwardNomination.id).where(
                AwardNomination.award_id == award.id, getattr(AwardNomination, field) == w.values[field]
            )
        )
        if same is not None:
            raise Conflict(f"{w.values['name']} is already proposed for this award", code="nomination.exists")
        return {"unit_id": w.unit.id, "proposed_by": w.principal.name, "status": "proposed"}

    async def removing(self, w: Write) -> None:
        undecided(await w.session.get(Award, w.obj.award_id))
        if w.obj.status != "proposed":
            raise Conflict("Only a proposal not yet reviewed can be withdrawn", code="nomination.reviewed")


NOMINATIONS = Nominations()


async def _nominee(
    w: Write, model, nominee_id: uuid.UUID, name_column, permission
) -> tuple[str, Unit] | None:
    row = (
        await w.session.execute(
            select(name_column, Unit)
            .join(Unit, Unit.id == model.unit_id)
            .where(
                model.id == nominee_id,
                model.deleted_at.is_(None),
                in_scope(model.unit_id, w.principal, None, permission),
            )
        )
    ).first()
    return (row[0], row[1]) if row else None


async def award_of(session: AsyncSession, principal: Principal, award_id: uuid.UUID, permission=P.kpi_read):
    """The award (404 outside the caller's area, read from below) and its unit."""
    return await fetch(session, principal, AWARDS, award_id, permission)


async def list_nominations(
    session: AsyncSession, principal: Principal, award_id: uuid.UUID, limit: int, offset: int
) -> NominationList:
    """The award's proposals in the caller's area (all of them for the commune), by kind and name."""
    award, _ = await award_of(session, principal, award_id)
    require_somewhere(principal, P.members_read)
    where = [
        AwardNomination.award_id == award.id,
        in_scope(AwardNomination.unit_id, principal, None, P.members_read),
    ]
    total = await session.scalar(select(func.count()).select_from(AwardNomination).where(*where))
    rows = await session.scalars(
        select(AwardNomination).where(*where).order_by(*ORDER).limit(limit).offset(offset)
    )
    items = [NominationRead.model_validate(row) for row in rows]
    return NominationList(items=items, total=total or 0, limit=limit, offset=offset)


async def review(
    session: AsyncSession,
    principal: Principal,
    award_id: uuid.UUID,
    nomination_id: uuid.UUID,
    data: NominationReview,
    if_match: int | None,
) -> NominationRead:
    """The commune's review: awards:manage over the award's unit (a leader cannot accept its own)."""
    award, award_unit = await award_of(session, principal, award_id)
    obj, unit = await fetch(
        session,
        principal,
        NOMINATIONS,
        nomination_id,
        P.members_read,
        lock=True,
        parent={"award_id": award.id},
    )
    require(principal, P.awards_manage, award_unit)
    undecided(award)
    check_version(obj, if_match)
    (before,) = await NOMINATIONS.present(session, [obj])
    changes = {
        "status": data.status,
        "review_note": data.note,
        "reviewed_by": principal.name,
        "reviewed_at": datetime.now(UTC),
    }
    return await change(Write(session, principal, NOMINATIONS, {}, unit, obj, before), changes)


async def decide(
    session: AsyncSession,
    principal: Principal,
    award_id: uuid.UUID,
    data: AwardDecision,
    if_match: int | None,
) -> Award:
    """Record the Chairman's decision: every proposal reviewed first; the accepted ones are honoured."""
    award, unit = await fetch(session, principal, AWARDS, award_id, P.awards_manage, lock=True)
    check_version(award, if_match)
    undecided(award)
    waiting = await session.scalar(
        select(func.count()).where(AwardNomination.award_id == award.id, AwardNomination.status == "proposed")
    )
    if waiting:
        raise Conflict(
            f"{waiting} proposal(s) still wait for the commune's review: accept or reject each first",
            code="award.proposals_pending",
        )
    before = {"decision_no": award.decision_no, "decision_date": None}
    award.decision_no, award.decision_date = data.decision_no, data.decision_date
    award.decided_at, award.decided_by = datetime.now(UTC), principal.name
    award.touch()
    await session.flush()
    after = {"decision_no": data.decision_no, "decision_date": data.decision_date.isoformat()}
    await record(session, principal, "decide", "award", award.id, unit_id=unit.id, before=before, after=after)
    return award


async def honoured(session: AsyncSession, award_id: uuid.UUID) -> list[tuple[AwardNomination, str]]:
    """The accepted proposals with their unit's name: the decision's list."""
    rows = await session.execute(
        select(AwardNomination, Unit.name)
        .join(Unit, Unit.id == AwardNomination.unit_id)
        .where(AwardNomination.award_id == award_id, AwardNomination.status == "accepted")
        .order_by(*ORDER)
    )
    return [(n, name) for n, name in rows]
