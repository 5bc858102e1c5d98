"""Recording an activity: the app's `POST /api/v1/activities` against the minimal write baseline.

Both stacks take the same stream of new activities (each a new client id, spread over the first
commune's 30 villages, occurring now) from `--connections` keep-alive connections, each in one
uvicorn worker, in the same run (alternating order with `--rounds`):
- the app, as a commune officer with a real access token, every request with its own
  `Idempotency-Key` (so the key is claimed, the replay check runs, the response is stored), the
  activity's own `id`, the aggregate upsert and the audit row;
- `bench/minimal.py`'s `POST /activities`: Starlette + a raw asyncpg pool, in one transaction the
  activity, its aggregate upsert and its audit row, nothing else.
The goal (the issue): the app at ≥ 0.5× the baseline's requests/s. Afterwards the activity
aggregates are compared with a recount from the activities table: both paths must keep them exact.

    python -m bench --only write_path [--connections 32] [--duration 10] [--rounds 3]
"""

from __future__ import annotations

import itertools
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import asyncpg

from bench.households import APP_ENV, _machine_busy, _secret_key, _summary, _token
from bench.load import LoadResult, Server, post_request, run_load
from bench.seed import PROVINCE_CODE, ensure_seeded

NAME = "write_path"
GOAL = 0.5
ROOT = Path(__file__).resolve().parents[1]
KINDS = ["vneid_activation", "dvc_account", "online_dossier", "epay_account", "digital_signature"]


def _bodies(villages: list[uuid.UUID]):
    """An endless stream of new activities: (id, JSON body)."""
    for n in itertools.count():
        activity_id = uuid.uuid4()
        body = {
            "id": str(activity_id),
            "unit_id": str(villages[n % len(villages)]),
            "occurred_at": datetime.now(UTC).isoformat(),
            "kind": KINDS[n % len(KINDS)],
            "people_count": 1 + n % 3,
            "dossier_count": n % 2,
        }
        yield activity_id, json.dumps(body).encode()


def _stacks(data, key: str, results_dir: Path) -> dict[str, dict]:
    env = os.environ | {"DATABASE_URL": data.url, "ENVIRONMENT": "production", "SECRET_KEY": key,
                        "PYTHONUNBUFFERED": "1"}  # fmt: skip
    return {
        "app": {
            "label": "FastAPI app: POST /api/v1/activities",
            "server": lambda: Server("api.asgi:app", env | APP_ENV, ready_path="/readyz", cwd=ROOT,
                                     log_path=results_dir / "write-app.log"),
            "path": "/api/v1/activities",
            "headers": lambda: {"Authorization": f"Bearer {_token(data)}"},
            "idempotency": True,
        },
        "minimal": {
            "label": "Starlette + asyncpg: insert, upsert, audit",
            "server": lambda: Server("bench.minimal:app", env, ready_path="/households", cwd=ROOT,
                                     log_path=results_dir / "write-minimal.log"),
            "path": "/activities",
            "headers": lambda: {},
            "idempotency": False,
        },
    }  # fmt: skip


async def _load(stack: dict, villages: list[uuid.UUID], options, sent: list[uuid.UUID]) -> LoadResult:
    bodies = _bodies(villages)
    headers = stack["headers"]()
    async with stack["server"]() as server:

        def make_request() -> bytes:
            activity_id, body = next(bodies)
            sent.append(activity_id)
            extra = {"Idempotency-Key": f"bench-{activity_id}"} if stack["idempotency"] else {}
            return post_request(server.host, server.port, stack["path"], headers | extra, body)

        busy = await _machine_busy()
        result = await run_load(server.host, server.port, stack["path"], connections=options.connections,
                                duration=options.duration, warmup=options.warmup, server_pid=server.pid,
                                make_request=make_request, expect=201)  # fmt: skip
        result.busy_before = busy
    return result


async def _villages(url: str) -> list[uuid.UUID]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT id FROM units WHERE level = 'village' AND code LIKE $1 ORDER BY code",
            f"{PROVINCE_CODE}-C001-%",
        )
    finally:
        await conn.close()
    return [r["id"] for r in rows]


async def _aggregates_exact(url: str, villages: list[uuid.UUID]) -> list[str]:
    """The villages' activity_stats rows against a recount of their activities."""
    conn = await asyncpg.connect(url)
    try:
        differences = await conn.fetch(
            """WITH recount AS (
                   SELECT unit_id,
                          date_trunc('month', occurred_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS month,
                          count(*) AS activities, sum(people_count) AS people, sum(dossier_count) AS dossiers,
                          sum(CASE WHEN kind = 'digital_signature' THEN people_count ELSE 0 END) AS signatures
                   FROM activities WHERE deleted_at IS NULL AND unit_id = ANY($1::uuid[]) GROUP BY 1, 2)
               SELECT coalesce(r.unit_id, s.unit_id) AS unit_id, coalesce(r.month, s.month) AS month
               FROM recount r FULL JOIN (SELECT * FROM activity_stats WHERE unit_id = ANY($1::uuid[])
                                         AND activities <> 0) s
                 ON s.unit_id = r.unit_id AND s.month = r.month
               WHERE (r.activities, r.people, r.dossiers, r.signatures) IS DISTINCT FROM
                     (s.activities, s.people_supported, s.online_dossiers, s.signatures_created)""",
            villages,
        )
    finally:
        await conn.close()
    return [f"{r['unit_id']} {r['month']}" for r in differences]


async def _roll_up_again(url: str) -> None:
    """The minimal stack upserts activity_stats without the app's delta log (its floor is the issue's:
    activity, aggregate row, audit row): recompute the roll-ups, so that what runs next on this
    database (field_load's KPI check) finds the app's invariant."""
    from sqlalchemy.ext.asyncio import AsyncSession

    from app.core.config import Settings
    from app.core.db import create_engine
    from app.kpi import rollups

    engine = create_engine(url=Settings(database_url=url).database_url)
    try:
        async with AsyncSession(engine) as session:
            await rollups.rebuild(session)
            await session.commit()
    finally:
        await engine.dispose()


async def _stored(url: str, ids: list[uuid.UUID]) -> int:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval("SELECT count(*) FROM activities WHERE id = ANY($1::uuid[])", ids)
    finally:
        await conn.close()


async def run(options) -> dict:
    data = await ensure_seeded(options.households)
    villages = await _villages(data.url)
    results_dir = Path(options.results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    stacks = _stacks(data, _secret_key(), results_dir)
    runs: dict[str, list[LoadResult]] = {name: [] for name in stacks}
    sent: dict[str, list[uuid.UUID]] = {name: [] for name in stacks}
    for round_ in range(options.rounds):
        for name in ["app", "minimal"] if round_ % 2 == 0 else ["minimal", "app"]:
            result = await _load(stacks[name], villages, options, sent[name])
            runs[name].append(result)
            print(f"    {name:8s} {result.rps:7,.0f} req/s  p50 {result.p50_ms:6.1f} ms"
                  f"  p99 {result.p99_ms:6.1f} ms"
                  f"  server {result.server_cpu_us_per_request:6,.0f} µs/req  non-201 {result.non_200}"
                  f"  (machine {result.busy_before:.0%} busy before)", flush=True)  # fmt: skip
    summary = {name: _summary(results) for name, results in runs.items()}
    ratio = summary["app"]["rps"] / summary["minimal"]["rps"] if summary["minimal"]["rps"] else 0.0
    differences = await _aggregates_exact(data.url, villages)
    await _roll_up_again(data.url)
    table = [["stack", "req/s", "p50 ms", "p99 ms", "server CPU", "server µs/req", "non-201"]]
    for name, s in summary.items():
        table.append([stacks[name]["label"], f"{s['rps']:,.0f}", f"{s['p50_ms']:.1f}", f"{s['p99_ms']:.1f}",
                      f"{s['server_cpu']:.0%}", f"{s['server_cpu_us_per_request']:,.0f}",
                      str(s["non_200"] + len(s["errors"]))])  # fmt: skip
    notes = [
        f"app/minimal = {ratio:.3f}× (goal ≥ {GOAL}×: {'met' if ratio >= GOAL else 'NOT met'}); "
        f"{options.connections} connections, {options.duration:.0f} s, {options.rounds} round(s), "
        f"{len(villages)} villages",
        f"activity aggregates of those villages against a recount: "
        f"{'exact' if not differences else f'{len(differences)} rows differ: {differences[:5]}'}",
    ]
    busy = max(s["busy_before"] for s in summary.values())
    if busy > 0.25:
        notes.append(f"the machine was {busy:.0%} busy before a run: other work competed")
    ok = all(r.ok for rs in runs.values() for r in rs) and not differences
    return {"name": NAME, "ok": ok, "ratio": ratio, "goal": GOAL, "summary": summary,
            "runs": {n: [r.as_dict() for r in rs] for n, rs in runs.items()}, "table": table,
            "notes": notes}  # fmt: skip
