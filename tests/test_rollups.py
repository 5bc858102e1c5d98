"""Roll-ups: a write logs a delta and never touches a roll-up row; a fold moves the deltas in; the
province's KPI is the same before and after; a delta whose owner is gone is dropped."""

from datetime import date

from sqlalchemy import delete, func, insert, select

from app.authz.permissions import Role
from app.kpi import engine, rollups
from app.kpi.periods import parse_period
from app.models import ActivityDelta, ActivityRollup, Unit
from tests.world import make_unit


async def _rollup(session, unit_id) -> dict[date, int]:
    rows = await session.execute(
        select(ActivityRollup.month, ActivityRollup.people_supported).where(ActivityRollup.unit_id == unit_id)
    )
    return dict(rows.all())


async def test_a_write_logs_a_delta_for_the_commune_and_a_fold_moves_it_in(client, world, session):
    period = parse_period("2026")
    before = (await engine.sums(session, world.p, period)).get(None, {}).get("people_supported", 0)
    await session.commit()
    body = {
        "unit_id": str(world.v11.id),
        "occurred_at": "2026-05-10T09:15:00+07:00",
        "kind": "vneid_activation",
        "people_count": 3,
    }
    created = await client.post("/api/v1/activities", json=body, headers=world.auth(Role.team_leader))
    assert created.status_code == 201, created.text

    logged = (
        await session.execute(
            select(ActivityDelta.unit_id, ActivityDelta.month, ActivityDelta.people_supported)
        )
    ).all()
    assert logged == [(world.c1.id, date(2026, 5, 1), 3)]  # owned by the village's commune
    assert await _rollup(session, world.c1.id) == {}  # no roll-up row written by the request
    unfolded = (await engine.sums(session, world.p, period)).get(None, {})
    assert unfolded["people_supported"] == before + 3

    assert await rollups.fold(session) == 1
    assert await session.scalar(select(func.count()).select_from(ActivityDelta)) == 0
    assert await _rollup(session, world.c1.id) == {date(2026, 5, 1): 3}
    assert (await engine.sums(session, world.p, period)).get(None, {}) == unfolded

    deleted = await client.delete(
        f"/api/v1/activities/{created.json()['id']}",
        headers=world.auth(Role.team_leader),
    )
    assert deleted.status_code == 204, deleted.text
    await rollups.fold(session)
    assert await _rollup(session, world.c1.id) == {date(2026, 5, 1): 0}
    assert (await engine.sums(session, world.p, period)).get(None, {})["people_supported"] == before


async def test_a_delta_whose_owner_was_deleted_is_dropped(session, world):
    gone = await make_unit(session, "Xã Đã Xoá", "commune", world.p)
    await session.execute(
        insert(ActivityDelta),
        [
            {"unit_id": gone.id, "month": date(2026, 5, 1), "activities": 1, "people_supported": 2,
             "online_dossiers": 0, "signatures_created": 0},
            {"unit_id": world.c2.id, "month": date(2026, 5, 1), "activities": 1, "people_supported": 4,
             "online_dossiers": 0, "signatures_created": 0},
        ],
    )  # fmt: skip
    await session.execute(delete(Unit).where(Unit.id == gone.id))

    assert await rollups.fold(session) == 2
    assert await _rollup(session, world.c2.id) == {date(2026, 5, 1): 4}
    assert await _rollup(session, gone.id) == {}
