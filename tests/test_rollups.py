"""Roll-ups: a write logs a delta and never touches a roll-up row; a fold moves the deltas in; the
province's KPI is the same before and after; a delta whose owner is gone is dropped; a write racing
its village's move rolls up once, under the right commune."""

import asyncio
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Role
from app.kpi import aggregates, engine, rollups
from app.kpi.periods import parse_period
from app.models import ActivityDelta, ActivityRollup, Unit
from app.units import history
from tests.real_database import real_database
from tests.world import committed_world, make_unit


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


async def _rolled_up_as_rebuilt(engine) -> None:
    """After a fold, the roll-ups equal those recomputed from the units' rows."""
    async with AsyncSession(engine, expire_on_commit=False) as session:
        await rollups.fold(session)
        kept = set((await session.execute(select(ActivityRollup.__table__))).all())
        await rollups.rebuild(session)
        assert set((await session.execute(select(ActivityRollup.__table__))).all()) == kept
        await session.rollback()


@pytest.mark.parametrize("first", ["write", "move"])
async def test_a_write_racing_its_village_s_move_rolls_up_once_under_the_right_commune(app, database, first):
    """The write's owner is read under a key-share lock of the village, which the move locks for
    update: whichever comes first, the other waits, and the roll-ups end equal to a recount."""
    if database != "postgresql":
        pytest.skip("SQLite runs one writer at a time")
    async with real_database(database, app) as (_client, engine):
        world = await committed_world(engine)
        change = SimpleNamespace(
            unit_id=world.v12.id,
            occurred_at=datetime(2026, 5, 10, 2, tzinfo=UTC),
            people_count=3,
            dossier_count=0,
            kind="vneid_activation",
        )

        async def write(session):
            await aggregates.activity_changed(session, None, change)

        async with AsyncSession(engine) as session:  # the village's month row exists: no foreign key
            await write(session)  # check of the write below locks the village for it
            await session.commit()

        async def move(session):
            village, commune = await session.get(Unit, world.v12.id), await session.get(Unit, world.c2.id)
            await history.move(session, village, commune, date(2026, 6, 1), "test")

        steps = (write, move) if first == "write" else (move, write)
        async with AsyncSession(engine) as one, AsyncSession(engine) as two:
            await steps[0](one)
            second = asyncio.create_task(steps[1](two))
            await asyncio.sleep(0.5)
            assert not second.done()  # waiting for the first to commit
            await one.commit()
            await asyncio.wait_for(second, 10)
            await two.commit()

        async with AsyncSession(engine) as session:
            logged = (
                await session.execute(
                    select(ActivityDelta.unit_id, func.sum(ActivityDelta.people_supported)).group_by(
                        ActivityDelta.unit_id
                    )
                )
            ).all()
        assert dict(logged) == {world.c1.id: 0, world.c2.id: 6}  # both writes carried to c2, once
        await _rolled_up_as_rebuilt(engine)
