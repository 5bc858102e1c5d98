"""A campaign's progress against its goals (plan 004: how far the VNeID signature drive has gone).

Flows (people helped, dossiers, signatures, activities, activities of a kind) are summed over the
activities linked to the campaign or to one of its events, dated inside the campaign's window
[starts_on, ends_on] (Vietnam days) and recorded in its unit's subtree: another drive's help on the
same days is not this campaign's. Stocks (the percentages, households informed) are the indicators
of the campaign's unit as they stand at the window's end (now, while it runs), through the KPI
engine. Beside the total, a caller whose area lies inside the campaign's (a village team) sees its
own units' share.
"""

import uuid
from datetime import timedelta
from types import SimpleNamespace

from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission as P
from app.authz.principal import Principal
from app.authz.scope import within_path
from app.campaigns import repository
from app.campaigns.schemas import (
    GOAL_CODES,
    GOAL_NAMES,
    KIND_GOALS,
    STOCK_GOALS,
    CampaignProgress,
    GoalPart,
    GoalProgress,
)
from app.campaigns.service import CAMPAIGNS
from app.kpi import engine
from app.kpi.aggregates import activity_vector
from app.kpi.indicators import PERCENTAGES, evaluate
from app.kpi.periods import local_today, window
from app.models import Campaign, Unit
from app.models.kpi import ACTIVITY_COUNTERS
from app.records import fetch


async def progress(session: AsyncSession, principal: Principal, campaign_id: uuid.UUID) -> CampaignProgress:
    """Each goal of the campaign with what has been achieved (404 outside the caller's area)."""
    campaign, unit = await fetch(session, principal, CAMPAIGNS, campaign_id, P.campaigns_read)
    goals: dict[str, int] = campaign.goals or {}
    totals = await achieved(session, campaign, unit, goals)
    paths = principal.scope_paths(P.campaigns_read) or []
    inside = [path for path in paths if path != unit.path and within_path(path, unit.path)]
    parts = [
        (part, await achieved(session, campaign, part, goals))
        for part in await repository.units_at(session, inside)
    ]
    return CampaignProgress(
        campaign_id=campaign.id,
        unit_id=campaign.unit_id,
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        as_of=min(campaign.ends_on, local_today()),
        goals=[
            GoalProgress(
                indicator=code,
                name=GOAL_NAMES.get(code, code),
                measure="stock" if code in STOCK_GOALS else "flow",
                percent=code in PERCENTAGES,
                goal=goal,
                achieved=totals.get(code),
                parts=[GoalPart(unit_id=p.id, name=p.name, achieved=values.get(code)) for p, values in parts],
            )
            for code in GOAL_CODES  # one order everywhere (PostgreSQL's JSONB keeps none)
            if (goal := goals.get(code)) is not None
        ],
    )


async def achieved(
    session: AsyncSession, campaign: Campaign, unit: Unit, goals: dict[str, int]
) -> dict[str, float | None]:
    """{goal code: value} over the subtree of `unit` (the campaign's, or a part of it)."""
    sums: dict[str, int] = {}
    if any(code in STOCK_GOALS for code in goals):
        span = window(campaign.starts_on, campaign.ends_on + timedelta(days=1))
        sums |= (await engine.sums(session, unit, span)).get(None, {})
    # The flows are the campaign's own activities, not every activity of the area.
    sums |= dict.fromkeys(ACTIVITY_COUNTERS, 0)
    kinds = dict.fromkeys(KIND_GOALS, 0)
    if any(code not in STOCK_GOALS for code in goals):
        rows = await repository.linked_activities(
            session, campaign.id, unit.path, campaign.starts_on, campaign.ends_on
        )
        for kind, count, people, dossiers in rows:
            # One kind's activities at once: its counters are linear in people and dossiers.
            vector = activity_vector(SimpleNamespace(kind=kind, people_count=people, dossier_count=dossiers))
            for name, value in zip(ACTIVITY_COUNTERS, (count, *vector[1:]), strict=True):
                sums[name] += value
            kinds[kind] = kinds.get(kind, 0) + count
    values: dict[str, float | None] = {r["code"]: r["value"] for r in evaluate(sums, {})}
    values |= {"activities": sums["activities"], "households_informed": sums.get("households_informed", 0)}
    return values | kinds
