"""Writes/s with and without roll-up rows above the village: do the aggregates serialise writes?

The national KPI needs sums above the village (bench/national.py: summing 100,000 villages' rows
is too slow), but a counter row shared by many writers is a lock every one of them waits on until
the holder commits. This measures, in one run, raw asyncpg writers (`--connections`, each its own
connection, closed loop, `--rollup-seconds` per variant) recording activities in one transaction
each, all in the first commune's 30 villages (a campaign day in one commune: the worst case):
- `village`: the activity and its village-month upsert (what the app does today);
- `+ commune`: the same and an upsert of the commune-month row (a roll-up kept in the transaction);
- `+ province + country`: the same up to the province and the whole country (the hot rows);
- `+ delta log`: the village upsert and an insert-only row per write into a log that a background
  job would fold into the commune rows (no shared row: nothing to wait on).
The roll-up tables are the benchmark's own (`bench_rollup_*`), dropped at the end; the activities
written stay, with their village aggregates exact.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from datetime import UTC, datetime

import asyncpg

from bench.minimal import ACTIVITY, STATS
from bench.seed import PROVINCE_CODE, ensure_seeded

NAME = "rollup_writes"
TABLES = """
CREATE TABLE IF NOT EXISTS bench_rollup (unit_id uuid, month date, activities int NOT NULL,
                                         people_supported int NOT NULL, PRIMARY KEY (unit_id, month));
CREATE TABLE IF NOT EXISTS bench_rollup_log (id bigserial PRIMARY KEY, unit_id uuid NOT NULL,
                                             month date NOT NULL, activities int NOT NULL,
                                             people_supported int NOT NULL)
"""
MONTH = "date_trunc('month', $2 AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
ROLLUP = f"""INSERT INTO bench_rollup AS r VALUES ($1, {MONTH}, 1, $3)
            ON CONFLICT (unit_id, month) DO UPDATE SET activities = r.activities + 1,
                                                       people_supported = r.people_supported + $3"""
LOG = f"""INSERT INTO bench_rollup_log (unit_id, month, activities, people_supported)
          VALUES ($1, {MONTH}, 1, $3)"""
COUNTRY = uuid.UUID(int=0)
VARIANTS = ["village", "+ commune", "+ province + country", "+ delta log"]


def add_arguments(parser) -> None:
    parser.add_argument(
        "--rollup-seconds", type=float, default=8.0, help="rollup_writes: seconds per variant"
    )


async def _writer(pool, variant: str, villages: list, commune, province, deadline: float, seen: list) -> None:
    n = 0
    async with pool.acquire() as conn:
        while time.perf_counter() < deadline:
            village = villages[n % len(villages)]
            n += 1
            now = datetime.now(UTC)
            started = time.perf_counter()
            async with conn.transaction():
                await conn.fetchrow(ACTIVITY, uuid.uuid4(), village, None, now, "dvc_account", 1, 0)
                await conn.execute(STATS, village, now, 1, 0, 0)
                if variant == "+ delta log":
                    await conn.execute(LOG, commune, now, 1)
                elif variant != "village":
                    await conn.execute(ROLLUP, commune, now, 1)
                    if variant == "+ province + country":
                        await conn.execute(ROLLUP, province, now, 1)
                        await conn.execute(ROLLUP, COUNTRY, now, 1)
            seen.append(time.perf_counter() - started)


async def run(options) -> dict:
    data = await ensure_seeded(options.households)
    conn = await asyncpg.connect(data.url)
    try:
        await conn.execute(TABLES)
        villages = [r["id"] for r in await conn.fetch(
            "SELECT id FROM units WHERE level = 'village' AND code LIKE $1 ORDER BY code",
            f"{PROVINCE_CODE}-C001-%",
        )]  # fmt: skip
        province = await conn.fetchval("SELECT id FROM units WHERE code = $1", PROVINCE_CODE)
        pool = await asyncpg.create_pool(data.url, min_size=options.connections, max_size=options.connections)
        figures = {}
        try:
            for variant in VARIANTS:
                seen: list[float] = []
                deadline = time.perf_counter() + options.rollup_seconds
                started = time.perf_counter()
                await asyncio.gather(*(
                    _writer(pool, variant, villages, data.commune_id, province, deadline, seen)
                    for _ in range(options.connections)
                ))  # fmt: skip
                elapsed = time.perf_counter() - started
                ordered = sorted(seen)
                figures[variant] = {
                    "writes_per_s": len(seen) / elapsed,
                    "p50_ms": statistics.median(ordered) * 1000,
                    "p99_ms": ordered[int(len(ordered) * 0.99)] * 1000,
                }
                print(f"  {variant:22s} {figures[variant]['writes_per_s']:7,.0f} writes/s  "
                      f"p99 {figures[variant]['p99_ms']:.1f} ms", flush=True)  # fmt: skip
        finally:
            await pool.close()
    finally:
        await conn.execute("DROP TABLE IF EXISTS bench_rollup, bench_rollup_log")
        await conn.close()
    base = figures["village"]["writes_per_s"]
    table = [["aggregates kept in the write's transaction", "writes/s", "× village only", "p50 ms", "p99 ms"]]
    for variant, f in figures.items():
        table.append([variant, f"{f['writes_per_s']:,.0f}", f"{f['writes_per_s'] / base:.2f}×",
                      f"{f['p50_ms']:.1f}", f"{f['p99_ms']:.1f}"])  # fmt: skip
    notes = [
        f"{options.connections} writers in one commune's {len(villages)} villages, "
        f"{options.rollup_seconds:.0f} s each, raw asyncpg, one transaction per activity "
        "(synchronous_commit as the server has it)"
    ]
    return {"name": NAME, "ok": True, "figures": figures, "table": table, "notes": notes}
