"""The baselines: the app's hottest read and write with nothing but Starlette, an asyncpg pool and orjson.

`GET /households?unit_id=<unit>&limit=50&offset=0` answers what `GET /api/v1/households` answers for
a caller who sees that unit: the columns of HouseholdRead, in Vietnamese name order (sort_key) then
id, the total, limit and offset. It does the same database work as the app (look the unit up, count,
fetch the page) but no authentication, no dependency injection, no validation models and no ORM: the
ceiling the app is measured against. Its SQL is the app's (app/households/service.py, the list as it
runs on the driver), so the two differ in the stack, not in the database work.

`POST /activities` is the write's floor (bench/write_path.py): in one transaction, insert the
activity, add it to its village's month in activity_stats (the app's delta upsert, the month taken in
Vietnam time as `periods.month_of` does) and insert its audit row; answer 201 with the activity. No
authentication, no Idempotency-Key, no replay check, no reference checks.

    DATABASE_URL=postgresql://… uvicorn bench.minimal:app --workers 1 --port 18102
"""

import os
import uuid
from contextlib import asynccontextmanager
from datetime import datetime

import asyncpg
import orjson
from starlette.applications import Starlette  # noqa: TID251 - the baseline is an HTTP app, not app/
from starlette.requests import Request  # noqa: TID251
from starlette.responses import Response  # noqa: TID251
from starlette.routing import Route  # noqa: TID251

from app.core.config import Settings
from app.households.schemas import HouseholdRead

# uuid columns as text: orjson does not know asyncpg's UUID class.
UUIDS = {"id", "unit_id", "assigned_member_id"}
COLUMNS = ", ".join(f"{c}::text AS {c}" if c in UUIDS else c for c in HouseholdRead.model_fields)
UNIT = "SELECT path FROM units WHERE id = $1"
# The subtree by path prefix ($1 = path || '%'; paths are hex and '/', nothing to escape).
SCOPE = "deleted_at IS NULL AND unit_id IN (SELECT id FROM units WHERE path LIKE $1)"
COUNT = f"SELECT count(*) FROM households WHERE {SCOPE}"
PAGE = f"SELECT {COLUMNS} FROM households WHERE {SCOPE} ORDER BY sort_key, id LIMIT $2 OFFSET $3"
JSON = "application/json"


def _dsn() -> str:
    url = os.environ.get("DATABASE_URL") or os.environ.get("BENCH_DATABASE_URL", "")
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@asynccontextmanager
async def lifespan(app: Starlette):
    size = Settings().db_pool_size
    app.state.pool = await asyncpg.create_pool(_dsn(), min_size=size, max_size=size)
    yield
    await app.state.pool.close()


def _error(status: int, detail: str) -> Response:
    return Response(orjson.dumps({"status": status, "detail": detail}), status, media_type=JSON)


async def households(request: Request) -> Response:
    params = request.query_params
    try:
        unit_id = uuid.UUID(params["unit_id"])
        limit = int(params.get("limit", 50))
        offset = int(params.get("offset", 0))
    except (KeyError, ValueError):
        return _error(422, "unit_id (a uuid), limit and offset (integers) are expected")
    if not (1 <= limit <= 500 and offset >= 0):
        return _error(422, "limit must be 1..500 and offset ≥ 0")
    async with request.app.state.pool.acquire() as conn:
        path = await conn.fetchval(UNIT, unit_id)
        if path is None:
            return _error(404, "Unit not found")
        total = await conn.fetchval(COUNT, path + "%")
        rows = await conn.fetch(PAGE, path + "%", limit, offset)
    body = {"items": [dict(row) for row in rows], "total": total, "limit": limit, "offset": offset}
    return Response(orjson.dumps(body, option=orjson.OPT_UTC_Z), media_type=JSON)


ACTIVITY = """INSERT INTO activities (id, unit_id, recorded_by, occurred_at, kind, people_count,
                                    dossier_count, version, created_at, updated_at)
              VALUES ($1, $2, $3, $4, $5, $6, $7, 1, now(), now()) RETURNING created_at, updated_at"""
STATS = """INSERT INTO activity_stats AS s (unit_id, month, activities, people_supported, online_dossiers,
                                         signatures_created)
           VALUES ($1, date_trunc('month', $2 AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 1, $3, $4, $5)
           ON CONFLICT (unit_id, month) DO UPDATE SET activities = s.activities + 1,
               people_supported = s.people_supported + excluded.people_supported,
               online_dossiers = s.online_dossiers + excluded.online_dossiers,
               signatures_created = s.signatures_created + excluded.signatures_created"""
AUDIT = """INSERT INTO audit_log (id, at, actor_id, actor_name, action, resource, resource_id, unit_id, after)
           VALUES ($1, now(), NULL, 'minimal', 'create', 'activity', $2, $3, $4::jsonb)"""


async def activities(request: Request) -> Response:
    try:
        body = orjson.loads(await request.body())
        activity_id, unit_id = uuid.UUID(body["id"]), uuid.UUID(body["unit_id"])
        occurred_at = datetime.fromisoformat(body["occurred_at"])
        kind, people, dossiers = str(body["kind"]), int(body["people_count"]), int(body["dossier_count"])
    except (KeyError, ValueError, TypeError, orjson.JSONDecodeError):
        return _error(422, "id, unit_id, occurred_at, kind, people_count and dossier_count are expected")
    async with request.app.state.pool.acquire() as conn, conn.transaction():
        created_at, updated_at = await conn.fetchrow(
            ACTIVITY, activity_id, unit_id, None, occurred_at, kind, people, dossiers
        )
        signatures = people if kind == "digital_signature" else 0
        await conn.execute(STATS, unit_id, occurred_at, people, dossiers, signatures)
        read = {
            "id": str(activity_id), "unit_id": str(unit_id), "household_id": None, "campaign_id": None,
            "event_id": None, "member_id": None, "recorded_by": None, "occurred_at": occurred_at,
            "kind": kind, "people_count": people, "dossier_count": dossiers, "note": None, "version": 1,
            "created_at": created_at, "updated_at": updated_at,
        }  # fmt: skip
        document = orjson.dumps(read, option=orjson.OPT_UTC_Z)
        await conn.execute(AUDIT, uuid.uuid4(), str(activity_id), unit_id, document.decode())
    return Response(document, 201, media_type=JSON)


app = Starlette(
    routes=[Route("/households", households), Route("/activities", activities, methods=["POST"])],
    lifespan=lifespan,
)
