"""Field load: phones syncing and recording, officers reading KPIs, then the database cut away.

Clients (100 by default, each its own keep-alive connection and its own user, closed loop):
- phones (team members, one village each): sync the village's households and activities through the
  change feeds (`?updated_since=` then `?cursor=`), record an activity with a client id and an
  `Idempotency-Key` from an outbox, and resend some of them on purpose (the same key and body must
  replay the first response: same status, same body);
- officers (province officers): `GET /api/v1/kpi` for the province (the year) and for a commune (the
  month).

Two phases against the same bench database, each with the app in one uvicorn worker:
1. `steady` (`--field-duration`, 60 s): throughput and latency; no 5xx allowed;
2. `outage` (`--field-outage-run`, 30 s): the app reaches PostgreSQL through `bench/tcp_proxy.py`,
   cut for `--field-outage` seconds (5) in the middle: requests then must get 503 problem+json
   quickly (no 500, no hang), and the app recovers by itself.
After each phase: every acknowledged (2xx) activity is in the database exactly once, no activity
exists that no phone sent, and the KPIs equal a from-scratch computation (`engine.sums` against
`engine.naive_sums` for the province; the activity aggregates against `aggregates.count_activities`).

    python -m bench --only field_load [--households N] [--field-clients 100] [--field-redis URL]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/<a bench database>   (see bench/seed.py)
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import sys
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg

from bench.households import _machine_busy, _secret_key
from bench.load import Server, _check_target, _read_response
from bench.seed import PROVINCE_CODE, ensure_seeded

NAME = "field_load"
ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 15.0  # seconds one request may take before it counts as hung
PHONE_USER = "bench_phone_{:03d}"
OFFICER_USER = "bench_officer_{:02d}"
KINDS = [
    "vneid_activation",
    "dvc_account",
    "online_dossier",
    "epay_account",
    "digital_signature",
    "skills_guidance",
    "communication",
]
BACKOFF = 0.5  # a phone's pause after a 503/429/409 or a lost connection (a real one waits Retry-After)


def add_arguments(parser) -> None:
    group = parser.add_argument_group("field_load")
    group.add_argument(
        "--field-clients", type=int, default=100, help="concurrent clients (phones + officers)"
    )
    group.add_argument("--field-officers", type=int, default=10, help="of which officers reading KPIs")
    group.add_argument("--field-duration", type=float, default=60.0, help="steady phase, seconds")
    group.add_argument("--field-outage-run", type=float, default=30.0, help="outage phase, seconds (0: skip)")
    group.add_argument("--field-outage", type=float, default=5.0, help="seconds the database is cut away")
    group.add_argument(
        "--field-retry-every",
        type=int,
        default=10,
        help="a phone resends every Nth recorded activity on purpose",
    )
    group.add_argument("--field-redis", default="", help="REDIS_URL for the app (shared rate limits)")
    group.add_argument("--field-workers", type=int, action="append",
                       help="uvicorn workers of the app; given several times, the steady phase runs once "
                            "for each (default: 1)")  # fmt: skip


# --- the clients -------------------------------------------------------------------------------


@dataclass
class Call:
    kind: str
    start: float
    end: float
    status: int  # 0: no HTTP answer (connection error or timeout)


@dataclass
class Phone:
    user_id: uuid.UUID
    token: str
    village_id: uuid.UUID
    household_cursor: str | None = None
    activity_cursor: str | None = None


@dataclass
class Officer:
    token: str
    province_id: uuid.UUID
    commune_ids: list[uuid.UUID]


@dataclass
class Record:
    """What the clients saw; the checks compare it with the database."""

    calls: list[Call] = field(default_factory=list)
    acknowledged: dict[str, int] = field(default_factory=dict)  # activity id -> first 2xx status
    sent: set[str] = field(default_factory=set)  # every activity id a phone sent
    replays: int = 0  # deliberate resends that replayed correctly
    replay_mismatches: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    problems_5xx: list[str] = field(default_factory=list)  # bodies of 5xx answers (first few)


class Connection:
    """One keep-alive HTTP/1.1 connection; reconnects once when the server closed it."""

    def __init__(self, host: str, port: int) -> None:
        _check_target(host)
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def request(self, method: str, path: str, headers: list[str], body: bytes | None = None) -> bytes:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Accept: application/json",
            *headers,
        ]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        for attempt in (0, 1):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                self.writer.write(raw)
                status, body, keep_alive = await _read_response(self.reader)
            except (OSError, asyncio.IncompleteReadError):
                self.close()
                if attempt:
                    raise
                continue
            if not keep_alive:
                self.close()
            return status, body
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Run:
    def __init__(self, host: str, port: int, record: Record) -> None:
        self.host, self.port, self.record = host, port, record
        self.tag = uuid.uuid4().hex[:8]  # Idempotency-Keys are kept 7 days: a run has keys of its own
        self.loop = asyncio.get_running_loop()

    async def call(
        self,
        conn: Connection,
        kind: str,
        method: str,
        path: str,
        headers: list[str],
        body: bytes | None = None,
    ) -> tuple[int, bytes]:
        start = self.loop.time()
        try:
            async with asyncio.timeout(TIMEOUT):
                status, answer = await conn.send(conn.request(method, path, headers, body))
        except (OSError, asyncio.IncompleteReadError, TimeoutError) as exc:
            conn.close()
            self.record.calls.append(Call(kind, start, self.loop.time(), 0))
            self.record.errors.append(f"{kind}: {type(exc).__name__}: {exc}"[:200])
            return 0, b""
        self.record.calls.append(Call(kind, start, self.loop.time(), status))
        if status >= 500 and len(self.record.problems_5xx) < 20:
            self.record.problems_5xx.append(f"{kind} {status}: {answer[:300]!r}")
        return status, answer

    async def phone(self, phone: Phone, index: int, deadline: float, retry_every: int) -> None:
        conn = Connection(self.host, self.port)
        auth = [f"Authorization: Bearer {phone.token}"]
        outbox: list[tuple[str, str, bytes]] = []  # (activity id, key, body)
        rng = random.Random(index)
        recorded = 0
        try:
            while self.loop.time() < deadline:
                path = f"/api/v1/households?unit_id={phone.village_id}&limit=200&" + (
                    f"cursor={phone.household_cursor}"
                    if phone.household_cursor
                    else "updated_since=2000-01-01T00:00:00Z"
                )
                status, body = await self.call(conn, "sync_households", "GET", path, auth)
                if status == 200 and (cursor := json.loads(body).get("next_cursor")):
                    phone.household_cursor = cursor
                path = f"/api/v1/activities?unit_id={phone.village_id}&limit=100&" + (
                    f"cursor={phone.activity_cursor}"
                    if phone.activity_cursor
                    else "updated_since=2000-01-01T00:00:00Z"
                )
                status, body = await self.call(conn, "sync_activities", "GET", path, auth)
                if status == 200 and (cursor := json.loads(body).get("next_cursor")):
                    phone.activity_cursor = cursor

                recorded += 1
                activity_id = str(uuid.uuid4())
                occurred = datetime.now(UTC) - timedelta(minutes=rng.randint(0, 600))
                document = {
                    "id": activity_id,
                    "unit_id": str(phone.village_id),
                    "occurred_at": occurred.isoformat(),
                    "kind": rng.choice(KINDS),
                    "people_count": rng.randint(1, 4),
                    "dossier_count": rng.randint(0, 2),
                }
                outbox.append(
                    (
                        activity_id,
                        f"{self.tag}-{phone.user_id.hex[-8:]}-{recorded}",
                        json.dumps(document).encode(),
                    )
                )
                while outbox and self.loop.time() < deadline:
                    activity_id, key, payload = outbox[0]
                    self.record.sent.add(activity_id)
                    headers = [*auth, f"Idempotency-Key: {key}"]
                    status, body = await self.call(
                        conn, "record_activity", "POST", "/api/v1/activities", headers, payload
                    )
                    if not 200 <= status < 300:
                        await asyncio.sleep(BACKOFF)
                        break  # kept in the outbox, sent again on the next round
                    outbox.pop(0)
                    self.record.acknowledged.setdefault(activity_id, status)
                    if int(key.rsplit("-", 1)[1]) % retry_every == 0:  # as if the answer had been lost
                        again, replay = await self.call(
                            conn, "resend_activity", "POST", "/api/v1/activities", headers, payload
                        )
                        if again == status and json.loads(replay) == json.loads(body):
                            self.record.replays += 1
                        elif again not in (0, 429, 503):
                            self.record.replay_mismatches.append(f"{key}: {status} then {again}")
        finally:
            conn.close()

    async def officer(self, officer: Officer, index: int, deadline: float) -> None:
        conn = Connection(self.host, self.port)
        auth = [f"Authorization: Bearer {officer.token}"]
        rng = random.Random(10_000 + index)
        today = datetime.now(UTC)
        try:
            while self.loop.time() < deadline:
                await self.call(
                    conn,
                    "kpi_province",
                    "GET",
                    f"/api/v1/kpi?unit_id={officer.province_id}&period={today:%Y}",
                    auth,
                )
                commune = rng.choice(officer.commune_ids)
                status, _ = await self.call(
                    conn, "kpi_commune", "GET", f"/api/v1/kpi?unit_id={commune}&period={today:%Y-%m}", auth
                )
                if status in (0, 429, 503):
                    await asyncio.sleep(BACKOFF)
        finally:
            conn.close()

    async def readiness(self, deadline: float, seen: list[tuple[float, int]]) -> None:
        conn = Connection(self.host, self.port)
        try:
            while self.loop.time() < deadline:
                start = self.loop.time()
                try:
                    async with asyncio.timeout(TIMEOUT):
                        status, _ = await conn.send(conn.request("GET", "/readyz", []))
                except (OSError, asyncio.IncompleteReadError, TimeoutError):
                    conn.close()
                    status = 0
                seen.append((start, status))
                await asyncio.sleep(0.25)
        finally:
            conn.close()


# --- setup ---------------------------------------------------------------------------------------


async def _field_users(url: str, phones: int, officers: int) -> tuple[list[Phone], list[Officer]]:
    """One team member per phone (each in its own village, spread over the communes) and one
    province officer per officer client: created once, reused by later runs."""
    from app.auth.service import access_token
    from app.authz.permissions import Role
    from app.core.ids import uuid7
    from app.core.security import hash_password

    conn = await asyncpg.connect(url)
    try:
        province_id, province_path = await conn.fetchrow(
            "SELECT id, path FROM units WHERE code = $1", PROVINCE_CODE
        )
        communes = [
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM units WHERE level = 'commune' AND code LIKE $1 ORDER BY code",
                f"{PROVINCE_CODE}-%",
            )
        ]
        villages = await conn.fetch(
            "SELECT id, path, code FROM units WHERE level = 'village' AND code LIKE $1 ORDER BY code",
            f"{PROVINCE_CODE}-%",
        )
        # Village i of commune j, for phone j + 100 i: one village per phone, across every commune.
        by_commune: dict[str, list] = {}
        for village in villages:
            by_commune.setdefault(village["code"].rsplit("-", 1)[0], []).append(village)
        ordered = [by_commune[c][i] for i in range(30) for c in sorted(by_commune) if i < len(by_commune[c])]
        password = await hash_password(uuid.uuid4().hex)  # nobody signs in: tokens are minted
        wanted = [
            (PHONE_USER.format(i), Role.team_member, ordered[i]["id"], ordered[i]["path"])
            for i in range(phones)
        ]
        wanted += [
            (OFFICER_USER.format(i), Role.province_officer, province_id, province_path)
            for i in range(officers)
        ]
        result_phones, result_officers = [], []
        for username, role, unit_id, _path in wanted:
            user_id = await conn.fetchval("SELECT id FROM users WHERE username = $1", username)
            if user_id is None:
                user_id = uuid7()
                await conn.execute(
                    """INSERT INTO users (id, username, full_name, password_hash, is_active, version,
                                          created_at, updated_at)
                       VALUES ($1, $2, $3, $4, true, 1, now(), now())""",
                    user_id,
                    username,
                    f"Đo tải {username}",
                    password,
                )
                await conn.execute(
                    "INSERT INTO role_assignments (id, user_id, role, unit_id) VALUES ($1, $2, $3, $4)",
                    uuid7(),
                    user_id,
                    role.value,
                    unit_id,
                )
            token = access_token(user_id)[0]
            if role is Role.team_member:
                result_phones.append(Phone(user_id, token, unit_id))
            else:
                result_officers.append(Officer(token, province_id, communes))
    finally:
        await conn.close()
    return result_phones, result_officers


class ProxyProcess:
    """bench/tcp_proxy.py in its own process (its CPU is not the load client's); signals cut it."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.process: asyncio.subprocess.Process | None = None
        self.port = 0

    async def __aenter__(self) -> ProxyProcess:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.tcp_proxy",
            "--upstream",
            self.upstream,
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
        )
        line = await asyncio.wait_for(self.process.stdout.readline(), 15)
        self.port = int(line.split()[1])
        return self

    def cut(self) -> None:
        self.process.send_signal(signal.SIGUSR1)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGUSR2)

    async def __aexit__(self, *_) -> None:
        if self.process and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 10)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


# --- phases and checks ---------------------------------------------------------------------------


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(p * len(values)))]


def _summary(calls: list[Call], seconds: float) -> dict:
    latencies = [(c.end - c.start) * 1000 for c in calls if c.status]
    statuses: dict[str, int] = {}
    for c in calls:
        statuses[str(c.status)] = statuses.get(str(c.status), 0) + 1
    return {
        "requests": len(calls),
        "rps": len(calls) / seconds if seconds else 0.0,
        "p50_ms": _percentile(latencies, 0.50),
        "p99_ms": _percentile(latencies, 0.99),
        "max_ms": max(latencies, default=0.0),
        "statuses": dict(sorted(statuses.items())),
    }


async def _run_phase(
    name: str,
    data,
    phones: list[Phone],
    officers: list[Officer],
    env: dict,
    options,
    results_dir: Path,
    duration: float,
    proxy: ProxyProcess | None,
    workers: int = 1,
) -> dict:
    record = Record()
    busy = await _machine_busy()
    since = await _database_now(data.url)  # this phase's activities are those created from now on
    server = Server("api.asgi:app", env, ready_path="/readyz", cwd=ROOT, workers=workers,
                    log_path=results_dir / f"field-{name}-app.log")  # fmt: skip
    outage: dict = {}
    ready: list[tuple[float, int]] = []
    async with server:
        run = Run(server.host, server.port, record)
        loop = asyncio.get_running_loop()
        start = loop.time()
        deadline = start + duration

        async def cut_and_resume() -> None:
            await asyncio.sleep((duration - options.field_outage) / 2)
            outage["cut"] = loop.time()
            proxy.cut()
            await asyncio.sleep(options.field_outage)
            proxy.resume()
            outage["resume"] = loop.time()

        tasks = [run.phone(p, i, deadline, options.field_retry_every) for i, p in enumerate(phones)]
        tasks += [run.officer(o, i, deadline) for i, o in enumerate(officers)]
        if proxy is not None:
            tasks += [cut_and_resume(), run.readiness(deadline, ready)]

        async def bounded(coro) -> None:
            try:
                async with asyncio.timeout_at(deadline + TIMEOUT + 5):
                    await coro
            except TimeoutError:
                record.errors.append("a client was still running after the run: cancelled")

        await asyncio.gather(*(bounded(t) for t in tasks))
        elapsed = loop.time() - start
        await asyncio.sleep(3 if proxy is not None else 0.5)  # background Idempotency-Key settling
    report = {"name": name, "workers": workers, "machine_busy_before": busy, "seconds": elapsed}
    report["overall"] = _summary(record.calls, elapsed)
    report["by_kind"] = {
        k: _summary([c for c in record.calls if c.kind == k], elapsed)
        for k in sorted({c.kind for c in record.calls})
    }
    report["writes"] = {
        "acknowledged": len(record.acknowledged),
        "sent": len(record.sent),
        "deliberate_resends_replayed": record.replays,
        "replay_mismatches": record.replay_mismatches[:20],
    }
    report["errors"] = sorted(set(record.errors))[:20]
    report["transport_errors"] = len(record.errors)
    report["problems_5xx"] = record.problems_5xx
    if proxy is not None:
        report["outage"] = _outage_report(record.calls, outage, ready, start)
    report["checks"] = await _check_database(data.url, record, phones, since)
    report["ok"] = _phase_ok(report, proxy is not None)
    return report


async def _database_now(url: str) -> datetime:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval("SELECT now()")
    finally:
        await conn.close()


def _outage_report(calls: list[Call], outage: dict, ready: list[tuple[float, int]], start: float) -> dict:
    cut, resume = outage.get("cut"), outage.get("resume")
    if cut is None or resume is None:
        return {"error": "the outage did not happen"}
    during = [c for c in calls if c.end >= cut and c.start <= resume]
    unavailable = [c for c in calls if c.status == 503]
    after = sorted((c for c in calls if c.start >= resume and 200 <= c.status < 300), key=lambda c: c.end)
    last_503 = max((c.end for c in unavailable), default=None)
    ready_down = [t for t, s in ready if s != 200]
    return {
        "cut_at_s": round(cut - start, 2),
        "seconds_cut": round(resume - cut, 2),
        "answers_503": len(unavailable),
        "answers_500": sum(1 for c in calls if c.status == 500),
        "other_5xx": sum(1 for c in calls if c.status > 500 and c.status != 503),
        "no_answer": sum(1 for c in calls if c.status == 0),
        "requests_during_outage": len(during),
        "statuses_during_outage": {
            str(s): sum(1 for c in during if c.status == s) for s in sorted({c.status for c in during})
        },
        "p50_ms_503": _percentile([(c.end - c.start) * 1000 for c in unavailable], 0.5),
        "p99_ms_503": _percentile([(c.end - c.start) * 1000 for c in unavailable], 0.99),
        "max_ms_503": max(((c.end - c.start) * 1000 for c in unavailable), default=0.0),
        "max_ms_during_outage": max(((c.end - c.start) * 1000 for c in during), default=0.0),
        "first_success_after_resume_s": round(after[0].end - resume, 3) if after else None,
        "last_503_after_resume_s": round(last_503 - resume, 3) if last_503 is not None else None,
        "readyz_not_ready_s": round(max(ready_down) - min(ready_down), 2) if ready_down else 0.0,
    }


async def _check_database(url: str, record: Record, phones: list[Phone], since: datetime) -> dict:
    """Acknowledged writes present exactly once, nothing unsent, KPIs equal to a full recount."""
    from sqlalchemy import select
    from sqlalchemy.ext.asyncio import AsyncSession

    from app.core.config import Settings
    from app.core.db import create_engine
    from app.kpi import aggregates, engine
    from app.kpi.periods import parse_period
    from app.models import Unit
    from app.models.kpi import ACTIVITY_COUNTERS, ActivityStats

    checks: dict = {}
    conn = await asyncpg.connect(url)
    try:
        acked = [uuid.UUID(i) for i in record.acknowledged]
        found = await conn.fetchval("SELECT count(*) FROM activities WHERE id = ANY($1::uuid[])", acked)
        checks["acknowledged_in_database"] = f"{found} of {len(acked)}"
        checks["acknowledged_missing"] = len(acked) - found
        mine = [p.user_id for p in phones]
        stored = {
            r["id"]
            for r in await conn.fetch(
                "SELECT id::text FROM activities WHERE recorded_by = ANY($1::uuid[]) AND created_at >= $2",
                mine,
                since,
            )
        }
        checks["stored_but_never_sent"] = len({i for i in stored if i not in record.sent})
        checks["sent_not_acknowledged_but_stored"] = len(
            {i for i in record.sent if i not in record.acknowledged} & stored
        )  # answered 5xx or not at all, yet committed: the outbox resends them, the id makes it once
        checks["claims_left_open"] = await conn.fetchval(
            "SELECT count(*) FROM idempotency_keys WHERE status_code IS NULL AND caller_id = ANY($1::uuid[])",
            mine,
        )
    finally:
        await conn.close()

    db_engine = create_engine(url=Settings(database_url=url).database_url)
    try:
        async with AsyncSession(db_engine) as session:
            province = await session.scalar(select(Unit).where(Unit.code == PROVINCE_CODE))
            mismatches = []
            today = datetime.now(UTC)
            for code in (f"{today:%Y}", f"{today:%Y-%m}"):
                period = parse_period(code)
                fast = (await engine.sums(session, province, period)).get(None, {})
                slow = await engine.naive_sums(session, province, period)
                mismatches += [
                    f"{code} {k}: aggregates {fast.get(k, 0)} != recount {v}"
                    for k, v in slow.items()
                    if fast.get(k, 0) != v
                ]
                checks[f"kpi_{code}_activities"] = slow.get("activities")
            recount = await aggregates.count_activities(session)
            kept = {
                (r.unit_id, r.month): tuple(getattr(r, c) for c in ACTIVITY_COUNTERS)
                for r in await session.scalars(select(ActivityStats))
            }
            kept = {k: v for k, v in kept.items() if any(v)}
            recount = {k: v for k, v in recount.items() if any(v)}
            checks["activity_stats_rows"] = len(kept)
            checks["activity_stats_differences"] = len(set(kept.items()) ^ set(recount.items()))
            checks["kpi_mismatches"] = mismatches[:20]
    finally:
        await db_engine.dispose()
    return checks


def _phase_ok(report: dict, with_outage: bool) -> bool:
    checks = report["checks"]
    statuses = report["overall"]["statuses"]
    # A 4xx other than "retry later" (409 claim busy, 429 rate limited) is the bench's or the app's bug.
    unexpected = {s: n for s, n in statuses.items() if 400 <= int(s) < 500 and int(s) not in (409, 429)}
    report["unexpected_4xx"] = unexpected
    fine = (
        not unexpected
        and checks["stored_but_never_sent"] == 0
        and checks["acknowledged_missing"] == 0
        and checks["activity_stats_differences"] == 0
        and not checks["kpi_mismatches"]
        and not report["writes"]["replay_mismatches"]
        and report["overall"]["requests"] > 0
    )
    if not with_outage:
        return fine and not any(int(s) >= 500 or s == "0" for s in statuses)
    outage = report["outage"]
    return (
        fine
        and "error" not in outage
        and outage["answers_500"] == 0
        and outage["other_5xx"] == 0
        and outage["max_ms_503"] < 5000
        and (outage["last_503_after_resume_s"] or 0) < 10
    )


async def run(options) -> dict:
    data = await ensure_seeded(options.households)
    results_dir = Path(options.results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    os.environ["ACCESS_TOKEN_MINUTES"] = "240"  # tokens minted here must outlive the run
    key = _secret_key()
    from app.core.config import get_settings

    get_settings.cache_clear()
    officers_n = min(options.field_officers, options.field_clients)
    phones, officers = await _field_users(data.url, options.field_clients - officers_n, officers_n)
    print(
        f"field_load: {len(phones)} phones, {len(officers)} officers; {data.households:,} households",
        flush=True,
    )
    env = os.environ | {
        "DATABASE_URL": data.url,
        "ENVIRONMENT": "production",
        "SECRET_KEY": key,
        "PYTHONUNBUFFERED": "1",
        "LOG_FORMAT": "json",
    }
    if options.field_redis:
        env["REDIS_URL"] = options.field_redis
        env["REDIS_PREFIX"] = f"cnscd-bench-{uuid.uuid4().hex[:8]}:"
    else:
        env.pop("REDIS_URL", None)

    phases = []
    for workers in options.field_workers or [1]:
        name = "steady" if not options.field_workers else f"steady {workers}w"
        print(f"  {name}: {options.field_duration:.0f} s, {workers} worker(s)", flush=True)
        phases.append(
            await _run_phase(
                name, data, phones, officers, env, options, results_dir, options.field_duration, None, workers
            )  # fmt: skip
        )
    if options.field_outage_run > 0 and options.field_outage > 0:
        host, port = _upstream(data.url)
        async with ProxyProcess(f"{host}:{port}") as proxy:
            proxied = env | {"DATABASE_URL": _through(data.url, proxy.port)}
            print(
                f"  outage: {options.field_outage_run:.0f} s, the database cut for "
                f"{options.field_outage:.0f} s",
                flush=True,
            )
            phases.append(
                await _run_phase(
                    "outage",
                    data,
                    phones,
                    officers,
                    proxied,
                    options,
                    results_dir,
                    options.field_outage_run,
                    proxy,
                )
            )

    table = [["phase", "kind", "requests", "req/s", "p50 ms", "p99 ms", "statuses"]]
    notes = []
    for phase in phases:
        for kind, s in [("all", phase["overall"]), *phase["by_kind"].items()]:
            table.append(
                [
                    phase["name"],
                    kind,
                    str(s["requests"]),
                    f"{s['rps']:,.0f}",
                    f"{s['p50_ms']:.1f}",
                    f"{s['p99_ms']:.1f}",
                    " ".join(f"{k}:{v}" for k, v in s["statuses"].items()),
                ]
            )
        c, w = phase["checks"], phase["writes"]
        notes.append(
            f"{phase['name']}: acknowledged writes in the database {c['acknowledged_in_database']}; "
            f"deliberate resends replayed {w['deliberate_resends_replayed']}, mismatches "
            f"{len(w['replay_mismatches'])}; KPI mismatches {len(c['kpi_mismatches'])}; activity_stats "
            f"differences {c['activity_stats_differences']}; open claims {c['claims_left_open']}; "
            f"machine {phase['machine_busy_before']:.0%} busy before"
        )
        if "outage" in phase:
            o = phase["outage"]
            notes.append(f"outage: {json.dumps(o)}")
        if phase["problems_5xx"]:
            notes.append(f"{phase['name']}: 5xx bodies: {phase['problems_5xx'][:3]}")
        if phase["errors"]:
            notes.append(f"{phase['name']}: transport errors: {phase['errors'][:3]}")
    steady = phases[0]["overall"]
    return {
        "name": NAME,
        "ok": all(p["ok"] for p in phases),
        "clients": options.field_clients,
        "households": data.households,
        "redis": bool(options.field_redis),
        "rps": steady["rps"],
        "p99_ms": steady["p99_ms"],
        "phases": phases,
        "table": table,
        "notes": notes,
    }


def _upstream(url: str) -> tuple[str, int]:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return parsed.host or "127.0.0.1", parsed.port or 5432


def _through(url: str, port: int) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
