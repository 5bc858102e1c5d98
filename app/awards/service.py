"""The 10/10 awards: a commune ranks its villages (their teams), a province its communes, by a
weighted score over a period (`app.kpi.indicators.FORMULA`). The figures are those at the end of the
cut-off day (Vietnam time), whenever they are asked for: live until then, the same afterwards, and
frozen into the award once the day is over, so no later edit of any figure changes it. A unit with no
data for any weighted indicator is no candidate: it is listed apart, never ranked."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission as P
from app.authz.principal import SYSTEM, Principal
from app.awards import export, people
from app.awards.schemas import AwardIndicator, AwardRanking, AwardRead, AwardRow, PeopleRanking
from app.core.errors import Conflict, Invalid
from app.core.versioning import check_version
from app.kpi.indicators import attainment, weighted_score
from app.kpi.periods import VIETNAM, Period, local_today, parse_period, window
from app.kpi.service import children_indicators, ranks
from app.models import Award, Team, Unit
from app.records import Permissions, Resource, Write, change, fetch

ORDER = [Award.cutoff_on.desc(), Award.title, Award.id]


class Awards(Resource):
    name, label, model, read = "award", "Award", Award, AwardRead
    dated_by = "period"  # a closed unit takes it only when dated by its close
    permissions = Permissions(P.kpi_read, P.awards_manage)
    levels = ("province", "commune")
    required = ("title", "period", "cutoff_on", "weights")
    tombstones = False
    from_below = True  # a village's team reads its commune's ranking

    async def rules(self, w: Write) -> dict[str, Any]:
        if w.obj is not None:
            _open(w.obj)
            undecided(w.obj)
        try:
            period = parse_period(w.values["period"])
        except Invalid:
            raise Invalid("period must look like 2026-06, 2026-Q2 or 2026", loc=["body", "period"]) from None
        if w.values["cutoff_on"] < period.start:
            raise Invalid(
                f"the cut-off ({w.values['cutoff_on']}) cannot come before the period ({period.start})",
                loc=["body", "cutoff_on"],
                code="award.cutoff_before_period",
            )
        return {}

    async def removing(self, w: Write) -> None:
        _open(w.obj)
        undecided(w.obj)


AWARDS = Awards()


def undecided(award: Award) -> None:
    """After the Chairman's decision the award, its proposals and its reviews stay as decided."""
    if award.decided_at is not None:
        raise Conflict(
            f"The award was decided ({award.decision_no}): it can no longer change", code="award.decided"
        )


def _open(award: Award) -> None:
    if award.status == "frozen":
        raise Conflict("The award's ranking is frozen: it can no longer change", code="award.frozen")


def as_of(award: Award | AwardRead) -> date:
    """The day the ranking's figures stand at the end of: the cut-off, or the period's last day when
    the period ends first."""
    return min(award.cutoff_on, parse_period(award.period).last_day)


def span(award: Award | AwardRead) -> Period:
    """What the ranking counts: from the period's first day to the end of `as_of` (stocks as they
    stood then, flows dated inside it)."""
    return window(parse_period(award.period).start, as_of(award) + timedelta(days=1))


def has_data(row: AwardRow) -> bool:
    """Some weighted indicator of the unit has a value (a percentage with an empty denominator has
    none): a unit without any is no candidate for the award."""
    return any(i.value is not None for i in row.indicators if i.weight > 0)


async def ranking(session: AsyncSession, award: Award, unit: Unit) -> list[AwardRow]:
    """The unit's children as of the end of the cut-off day: those with data ranked by the award's
    score, best first (no score last, unranked), then those without data, unranked."""
    weights = award.weights
    rows = []
    for child, results in await children_indicators(session, unit, span(award)):
        indicators = [
            AwardIndicator(
                code=r["code"],
                name=r["name"],
                value=r["value"],
                target=r["target"],
                attainment=attainment(r),
                weight=weights[r["code"]],
            )
            for r in results
            if r["code"] in weights
        ]
        rows.append(
            AwardRow(
                rank=None,
                unit_id=child.id,
                code=child.code,
                name=child.name,
                teams=[],
                score=weighted_score(results, weights),
                indicators=indicators,
            )
        )
    teams = await _active_teams(session, [row.unit_id for row in rows])
    rows.sort(key=lambda r: (not has_data(r), r.score is None, -(r.score or 0), r.name))
    scores = [row.score if has_data(row) else None for row in rows]
    for row, rank in zip(rows, ranks(scores), strict=True):
        row.rank, row.teams = rank, teams.get(row.unit_id, [])
    return rows


def answer(
    award: Award | AwardRead,
    rows: list[AwardRow],
    today: date | None = None,
    ranked: PeopleRanking | None = None,
) -> AwardRanking:
    """The award with its rows: the candidates ranked, the units without data apart; the members and
    teams ranked (`ranked`, as the reader may receive it)."""
    read = award if isinstance(award, AwardRead) else AwardRead.model_validate(award)
    return AwardRanking(
        **read.model_dump(),
        ranking=[row for row in rows if has_data(row)],
        no_data=[row.model_copy(update={"rank": None}) for row in rows if not has_data(row)],
        as_of=as_of(read),
        cutoff_passed=(today or local_today()) > read.cutoff_on,
        people=ranked or PeopleRanking(members=[], teams=[]),
    )


async def _active_teams(session: AsyncSession, unit_ids: list[uuid.UUID]) -> dict[uuid.UUID, list[str]]:
    query = (
        select(Team.unit_id, Team.name)
        .where(Team.unit_id.in_(unit_ids), Team.status == "active", Team.deleted_at.is_(None))
        .order_by(Team.name)
    )
    teams: dict[uuid.UUID, list[str]] = {}
    for unit_id, name in await session.execute(query):
        teams.setdefault(unit_id, []).append(name)
    return teams


async def read_award(session: AsyncSession, principal: Principal, award_id: uuid.UUID) -> AwardRanking:
    award, unit = await fetch(session, principal, AWARDS, award_id, P.kpi_read)
    frozen = award.status == "frozen"
    rows = (
        [AwardRow.model_validate(row) for row in award.ranking]
        if frozen
        else await ranking(session, award, unit)
    )
    ranked = (
        award.people if frozen and award.people is not None else await people.rank(session, unit, span(award))
    )
    return answer(award, rows, ranked=people.shown(principal, ranked))


async def award_file(session: AsyncSession, principal: Principal, award_id: uuid.UUID) -> tuple[bytes, str]:
    """The ranking as the xlsx list attached to the award decision."""
    award = await read_award(session, principal, award_id)
    unit = await session.get(Unit, award.unit_id)
    day = (award.frozen_at or datetime.now(UTC)).astimezone(VIETNAM).date()
    from app.awards.nominations import honoured  # the proposals module builds on this one

    rows = [(n.kind, n.name, unit_name, n.reason) for n, unit_name in await honoured(session, award.id)]
    listed = rows if award.decision_no else []  # the decision's list, once there is a decision
    return export.xlsx(award, unit.name, day, listed), f"khen-thuong-{unit.code}-{award.period}.xlsx"


async def freeze(
    session: AsyncSession,
    principal: Principal,
    award_id: uuid.UUID,
    if_match: int | None,
    today: date | None = None,
) -> AwardRanking:
    """Freeze the ranking once the cut-off day is over (Vietnam time), on the figures of that day."""
    award, unit = await fetch(session, principal, AWARDS, award_id, P.awards_manage, lock=True)
    check_version(award, if_match)
    _open(award)
    today = today or local_today()
    if today <= award.cutoff_on:
        raise Conflict(
            f"The ranking freezes after its cut-off day ({award.cutoff_on}); it is live until then",
            code="award.before_cutoff",
        )
    rows = await ranking(session, award, unit)
    ranked = await people.rank(session, unit, span(award))
    (before,) = await AWARDS.present(session, [award])
    frozen = {
        "status": "frozen",
        "ranking": [row.model_dump(mode="json") for row in rows],
        "people": ranked,
        "frozen_at": datetime.now(UTC),
        "frozen_by": principal.name,
    }
    after = await change(Write(session, principal, AWARDS, {}, unit, award, before), frozen)
    return answer(after, rows, today, people.shown(principal, ranked))


async def freeze_due(session: AsyncSession, today: date | None = None) -> int:
    """Freeze every open award whose cut-off day is over (the daily job, as the system); how many."""
    today = today or local_today()
    due = list(await session.scalars(select(Award.id).where(Award.status == "open", Award.cutoff_on < today)))
    for award_id in due:
        await freeze(session, SYSTEM, award_id, None, today)
    return len(due)
