"""What an area's activities add up to over a period (issue 20, items 3 and 4): by kind of help, by
channel of communication, by group of people helped (plans 004, 000: the elderly, people with
disabilities, ethnic minorities, students, workers), and by urban or rural village (004).

`summarize(session, unit, period)` is the function: the periodic report calls it for "results by kind
of help" (`app.kpi.snapshots`), the API serves it at `GET /activities/summary`. Activities are those
dated in the period (Vietnam time) anywhere in the unit's subtree (`app.authz.scope.under`), whenever
they were synced; the households of each kind of village are counted as they stood at the period's
end, as the KPI engine counts them.
"""

import uuid
from datetime import date, datetime, time
from types import SimpleNamespace

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.activities.schemas import (
    CHANNEL_LABELS,
    GROUP_LABELS,
    GROUPS,
    KIND_LABELS,
    ActivityKind,
    ActivitySummary,
    Channel,
    ChannelTally,
    GroupTally,
    KindTally,
    SettlementTally,
    Tally,
)
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope, under
from app.kpi.aggregates import activity_vector
from app.kpi.indicators import INDICATORS, evaluate
from app.kpi.periods import VIETNAM, Period, parse_period
from app.kpi.schemas import IndicatorValue
from app.models import Activity, HouseholdObservation, HouseholdStats, Unit
from app.models.kpi import ACTIVITY_COUNTERS, HOUSEHOLD_COUNTERS
from app.models.unit import Settlement

SUMS = ("people_count", "dossier_count", "reach_count", *GROUPS)
SETTLEMENTS: tuple[Settlement | None, ...] = (Settlement.urban, Settlement.rural, None)
SETTLEMENT_LABELS = {Settlement.urban: "Thành thị", Settlement.rural: "Nông thôn", None: "Chưa phân loại"}
# The indicators a kind of village has: those counted over households and activities (not members,
# not villages with a team, which are no business of urban or rural).
SETTLEMENT_INDICATORS = frozenset(
    i.code
    for i in INDICATORS
    if {i.numerator, i.denominator or i.numerator} <= {*HOUSEHOLD_COUNTERS, *ACTIVITY_COUNTERS}
)


def _midnight(day: date) -> datetime:
    """The first moment of a day in Vietnam."""
    return datetime.combine(day, time(), VIETNAM)


async def read_summary(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID, period_code: str
) -> ActivitySummary:
    """`summarize` for a unit the caller reads indicators of (kpi:read; 404 outside its area)."""
    unit = await get_unit_in_scope(session, principal, unit_id, needs=Permission.kpi_read)
    return await summarize(session, unit, parse_period(period_code))


async def summarize(session: AsyncSession, unit: Unit, period: Period) -> ActivitySummary:
    """The unit's subtree's activities dated in `period`, by kind, channel, group and settlement.

    `period` is any `Period`: a month, quarter or year (`parse_period`) or a span of days
    (`periods.window`). No scope check here: the caller has one (`read_summary` does)."""
    rows = await _activities(session, unit, period)
    total, kinds = Tally(), {kind: Tally() for kind in ActivityKind}
    channels: dict[Channel | None, Tally] = {}
    places: dict[Settlement | None, Tally] = {s: Tally() for s in SETTLEMENTS}
    flows: dict[Settlement | None, dict[str, int]] = {s: {} for s in SETTLEMENTS}
    for row in rows:
        kind, channel, settlement = ActivityKind(row.kind), row.channel, _settlement(row.settlement)
        targets = [total, kinds[kind], places[settlement]]
        if kind == ActivityKind.communication:
            targets.append(channels.setdefault(Channel(channel) if channel else None, Tally()))
        for tally in targets:
            tally.activities += row.activities
            for name in SUMS:
                setattr(tally, name, getattr(tally, name) + int(getattr(row, name) or 0))
        # The flows as the KPI engine counts them (people supported, dossiers, signatures created).
        vector = activity_vector(SimpleNamespace(kind=row.kind, people_count=row.people_count or 0,
                                                 dossier_count=row.dossier_count or 0))  # fmt: skip
        for name, value in zip(ACTIVITY_COUNTERS, (row.activities, *vector[1:]), strict=True):
            flows[settlement][name] = flows[settlement].get(name, 0) + int(value)
    stock = await _households(session, unit, period)
    return ActivitySummary(
        unit_id=unit.id,
        unit_name=unit.name,
        period=period.code,
        starts_on=period.start,
        ends_on=period.last_day,
        total=total,
        by_kind=[
            KindTally(kind=kind, label=KIND_LABELS[kind], **tally.model_dump())
            for kind, tally in kinds.items()
        ],
        by_group=[
            GroupTally(
                group=group,
                label=GROUP_LABELS[group],
                people_count=getattr(total, group),
                share=round(100 * getattr(total, group) / total.people_count, 2)
                if total.people_count
                else None,
            )
            for group in GROUPS
        ],
        by_channel=[
            ChannelTally(
                channel=channel,
                label=CHANNEL_LABELS[channel] if channel else "Chưa ghi kênh",
                **channels[channel].model_dump(),
            )
            for channel in (*Channel, None)
            if channel in channels
        ],
        by_settlement=[
            SettlementTally(
                settlement=settlement,
                label=SETTLEMENT_LABELS[settlement],
                indicators=_indicators(stock.get(settlement, {}) | flows[settlement]),
                **places[settlement].model_dump(),
            )
            for settlement in SETTLEMENTS
        ],
    )


def _settlement(value: str | None) -> Settlement | None:
    return Settlement(value) if value else None


def _indicators(sums: dict[str, int]) -> list[IndicatorValue]:
    """The indicators counted over households and activities, as the KPI defines them."""
    return [
        IndicatorValue(**result) for result in evaluate(sums, {}) if result["code"] in SETTLEMENT_INDICATORS
    ]


async def _activities(session: AsyncSession, unit: Unit, period: Period) -> list:
    """The subtree's live activities dated in the period, summed by kind, channel and the settlement of
    the village they were given in (one row each)."""
    a = Activity
    query = (
        select(
            a.kind,
            a.channel,
            Unit.settlement,
            func.count().label("activities"),
            *(func.sum(getattr(a, name)).label(name) for name in SUMS),
        )
        .join(Unit, Unit.id == a.unit_id)
        .where(
            under(unit.path),
            a.deleted_at.is_(None),
            a.occurred_at >= _midnight(period.start),
            a.occurred_at < _midnight(period.end),
        )
        .group_by(a.kind, a.channel, Unit.settlement)
    )
    return list(await session.execute(query))


async def _households(session: AsyncSession, unit: Unit, period: Period) -> dict[Settlement | None, dict]:
    """The subtree's household counters at the period's end, by the settlement of their village: each
    village's monthly rows up to the month the period ends in, then the days of that month from the
    households' history (what began in them less what ended), as `app.kpi.engine` counts its stock."""
    edge = period.end.replace(day=1)
    sums: dict[Settlement | None, dict[str, int]] = {}

    def add(rows) -> None:
        for row in rows:
            values = sums.setdefault(_settlement(row[0]), {})
            for name, value in zip(HOUSEHOLD_COUNTERS, row[1:], strict=True):
                values[name] = values.get(name, 0) + int(value or 0)

    stats = HouseholdStats
    add(
        await session.execute(
            select(Unit.settlement, *(func.sum(getattr(stats, c)) for c in HOUSEHOLD_COUNTERS))
            .join(Unit, Unit.id == stats.unit_id)
            .where(under(unit.path), stats.month < edge)
            .group_by(Unit.settlement)
        )
    )
    if edge < period.end:
        t = HouseholdObservation.__table__
        for column, sign in ((t.c.observed_at, 1), (t.c.valid_to, -1)):
            add(
                await session.execute(
                    select(Unit.settlement, *(sign * func.sum(t.c[c]) for c in HOUSEHOLD_COUNTERS))
                    .join_from(t, Unit, Unit.id == t.c.unit_id)
                    .where(under(unit.path), column >= _midnight(edge), column < _midnight(period.end))
                    .group_by(Unit.settlement)
                )
            )
    return sums
