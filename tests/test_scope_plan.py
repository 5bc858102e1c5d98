"""The scope's subtree predicate is bounded by the units' path index in any plan, on both databases.

`path LIKE $1 || '%'` was bounded only in a plan made for the value: SQLite never made one (its LIKE
ignores case and the pattern is an expression), so every scoped read there scanned the units; on
PostgreSQL a generic plan, which it may keep for a prepared statement run more than five times,
read every unit (the engine forces plans for the values: `app.core.db`). The statements the app
really sends for a commune's household page and KPI, as SQLite plans them, and as PostgreSQL's
generic plan would be."""

import itertools
import re
import uuid
from datetime import date, datetime

from sqlalchemy import event

from app.authz.permissions import Role

SUBTREE = re.compile(r"units\.path (LIKE|~>=~|>=)")  # a subtree predicate, as written before and now
SQLITE_SCAN = re.compile(r"^SCAN units(_\d+)?\b")


def _literal(value) -> str:
    """A parameter written as SQL (test values only: paths, ids, numbers, dates)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, uuid.UUID | date | datetime):
        value = str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _whole_reads(plan: str) -> list[str]:
    """The plan's reads of the units with no index bound: a scan, or an index read end to end."""
    lines = plan.splitlines()
    whole = []
    for n, line in enumerate(lines):
        if " on units " in line:
            details = list(itertools.takewhile(lambda d: "->" not in d, lines[n + 1 :]))
            if not any("Index Cond" in d or "Recheck Cond" in d for d in details):
                whole.append(line.strip())
    return whole


async def test_scoped_reads_find_their_units_by_the_path_index_in_a_generic_plan(
    client, world, session, engine, database
):
    seen = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if SUBTREE.search(statement):
            seen.append((statement, tuple(parameters or ())))

    event.listen(engine.sync_engine, "before_cursor_execute", keep)
    try:
        officer = world.auth(Role.commune_officer)
        for path in ("/api/v1/households", "/api/v1/kpi"):
            params = {"unit_id": str(world.c1.id)} | ({"period": "2026-06"} if path.endswith("kpi") else {})
            response = await client.get(path, params=params, headers=officer)
            assert response.status_code == 200, response.text
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", keep)
    assert any("FROM households" in statement for statement, _ in seen)
    assert any(
        "FROM activity_stats" in statement or "FROM household_stats" in statement for statement, _ in seen
    )

    connection = await session.connection()
    if database == "sqlite":  # a plan for the values, which LIKE with `|| '%'` never bounds
        for statement, parameters in seen:
            plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            whole = [row[-1] for row in plan if SQLITE_SCAN.match(row[-1])]
            assert whole == [], statement
        return
    raw = (await connection.get_raw_connection()).driver_connection
    # In this test's transaction (rolled back after): a plan for any value, and no table read whole
    # where an index can serve (the test's few units would make a scan the cheaper plan).
    await raw.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    await raw.execute("SET LOCAL enable_seqscan = off")
    for n, (statement, parameters) in enumerate(seen):
        await raw.execute(f"PREPARE scoped_{n} AS {statement}")
        arguments = f"({', '.join(map(_literal, parameters))})" if parameters else ""
        plan = "\n".join(row[0] for row in await raw.fetch(f"EXPLAIN EXECUTE scoped_{n}{arguments}"))
        assert _whole_reads(plan) == [], f"{statement}\n{plan}"
