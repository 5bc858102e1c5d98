"""A village's change feed reads that village's index entries, not the whole table's by `updated_at`
(a phone's first sync of a village read the country's households: 214 ms on 1M, seconds under load;
a village of 427 activities among 1.4 million: 450 ms). Each unit in scope gives its first changes
from an index that leads with the unit and the time (`records.reads.changes`). PostgreSQL's plan of
the statement the feed really runs."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, insert, text

from app.authz.permissions import Role
from app.models import Activity, Household

FEEDS = {"households": Household, "activities": Activity}
INDEXES = {
    "households": "ix_households_unit_id_updated_at",
    "activities": "ix_activities_unit_id_updated_at",
}


def _rows(model, village, others, count: int) -> list[dict]:
    """`count` rows, one in 50 in `village` (a village holds a sliver of a table: 1/100,000 of the
    country's), interleaved in time with the others'."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(count):
        moment = start + timedelta(minutes=i)
        row = {
            "id": uuid.uuid4(),
            "unit_id": (village if i % 50 == 0 else others[i % len(others)]).id,
            "updated_at": moment,
            "created_at": moment,
        }
        if model is Household:
            row |= {"head_name": f"Hộ {i}", "search_text": f"ho {i}", "sort_key": f"{i:08d}"}
        else:
            row |= {"occurred_at": moment, "kind": "communication", "people_count": 1}
        rows.append(row)
    return rows


@pytest.mark.parametrize("resource", sorted(FEEDS))
async def test_a_village_s_feed_reads_its_own_index_entries(client, world, session, database, resource):
    if database != "postgresql":
        pytest.skip("the plan is PostgreSQL's")
    model = FEEDS[resource]
    await session.execute(insert(model), _rows(model, world.v11, [world.v12, world.v21, world.v31], 10_000))
    await session.execute(text(f"ANALYZE {model.__tablename__}"))
    await session.commit()

    seen = []
    engine = (
        session.bind.sync_engine if hasattr(session.bind, "sync_engine") else session.bind.engine.sync_engine
    )

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "ORDER BY" in statement and f"FROM {model.__tablename__}" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", keep)
    try:
        response = await client.get(
            f"/api/v1/{resource}",
            params={"unit_id": str(world.v11.id), "updated_since": "2025-01-01T00:00:00Z", "limit": 100},
            headers=world.auth(Role.team_leader),
        )
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == 100
    statement, parameters = seen[-1]
    connection = await session.connection()
    raw = (await connection.get_raw_connection()).driver_connection
    # What the planner picks among indexes depends on statistics a test cannot give it (a village is
    # 1/100,000 of the country's rows; on the bench database's 1.4 million activities it takes the
    # village's index by itself); what it must find is an index that leads with the village. So: no
    # scan of the table, and its table-wide `updated_at` index out of the way (in this test's
    # transaction, rolled back after).
    await raw.execute("SET LOCAL enable_seqscan = off")
    await raw.execute(f"DROP INDEX ix_{model.__tablename__}_updated_at")
    plan = "\n".join(r[0] for r in await raw.fetch("EXPLAIN " + statement, *parameters))
    assert INDEXES[resource] in plan, plan
