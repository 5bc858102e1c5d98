"""A real streaming replica on this machine: replay lag, KPI latency through it, and the fallbacks.

Nothing of the machine's own PostgreSQL server is touched: in a temporary directory the benchmark
makes a primary (`initdb`, another port) seeded with the bench data set (`--replica-households`,
100,000 by default: a KPI read sums the same 3,000 villages' aggregates whatever the households),
takes a `pg_basebackup -R` of it and starts that as a hot standby on a third port. Then:
1. replay lag under writes: one writer inserts activities and their aggregate upserts on the primary
   as fast as it can while a probe commits a marker every 100 ms and times how long the replica
   takes to show it; the app's own lag query (`app.core.replica.LAG`) is sampled beside it;
2. KPI latency through the replica: `read_kpi` of the province via `replica.read` (the routing the
   KPI routes use) against the same read on the primary;
3. the lag bound for real: replay paused on the replica (`pg_wal_replay_pause`), a write on the
   primary, and reads must go to the primary once the lag passes the bound (2 s here), then come
   back when replay resumes;
4. the replica stopped: every read must still be answered, from the primary.
Both servers are stopped and the directory removed at the end, whatever happens. As root the
servers run as the `postgres` OS user (initdb refuses root).

    python -m bench --only replica [--replica-households N] [--replica-samples 200]
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg

from bench import seed

NAME = "replica"
BOUND = 2.0  # seconds of lag past which reads leave the replica, in this benchmark


def add_arguments(parser) -> None:
    group = parser.add_argument_group("replica")
    group.add_argument("--replica-households", type=int, default=100_000,
                       help="households of the temporary primary")  # fmt: skip
    group.add_argument("--replica-samples", type=int, default=200, help="KPI reads per case")
    group.add_argument("--replica-write-seconds", type=float, default=10.0, help="the write load's length")


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        raise RuntimeError(f"{name} not found: the replica benchmark needs the PostgreSQL server binaries")
    return found[-1]


def _as_postgres() -> list[str]:
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _run(*command: str) -> None:
    subprocess.run([*_as_postgres(), *command], check=True, capture_output=True, text=True, timeout=600)


def _free_port() -> int:
    for port in range(55400, 55500):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 55400–55499")


class Cluster:
    """A temporary primary and its streaming replica, stopped and removed on the way out."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="cnscd-replica-"))
        self.primary, self.standby = self.root / "primary", self.root / "standby"
        self.primary_port = self.standby_port = 0
        self.running: list[Path] = []

    def url(self, port: int, database: str = "cnscd_replica_bench") -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/{database}"

    def _start(self, data: Path, port: int) -> None:
        _run(_bin("pg_ctl"), "-D", str(data), "-l", str(self.root / f"{data.name}.log"), "-w", "-t", "60",
             "-o", f"-p {port} -k {self.root} -c listen_addresses=127.0.0.1", "start")  # fmt: skip
        self.running.append(data)

    def stop(self, data: Path) -> None:
        if data in self.running:
            _run(_bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
            self.running.remove(data)

    def start_primary(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        _run(_bin("initdb"), "-D", str(self.primary), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--locale=C.UTF-8")  # fmt: skip
        with (self.primary / "postgresql.conf").open("a") as conf:
            conf.write("wal_level = replica\nmax_wal_senders = 4\nshared_buffers = 128MB\n")
        self.primary_port = _free_port()
        self._start(self.primary, self.primary_port)

    def start_standby(self) -> None:
        _run(_bin("pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
             "-D", str(self.standby), "-R", "-X", "stream", "-c", "fast")  # fmt: skip
        self.standby_port = _free_port()
        self._start(self.standby, self.standby_port)

    def close(self) -> None:
        for data in list(reversed(self.running)):
            try:
                self.stop(data)
            except subprocess.SubprocessError:
                subprocess.run([*_as_postgres(), _bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                               capture_output=True, timeout=60)  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)


def _percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples) or [0.0]
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"p50": statistics.median(ordered), "p99": p99, "max": ordered[-1], "n": len(samples)}


async def _replay_lag_under_writes(primary: str, standby: str, seconds: float, villages: list) -> dict:
    """Markers committed on the primary every 100 ms and the time until the replica shows each."""
    from app.core.replica import LAG

    writer_conn = await asyncpg.connect(primary)
    marker_conn = await asyncpg.connect(primary)
    replica_conn = await asyncpg.connect(standby)
    await marker_conn.execute("CREATE TABLE IF NOT EXISTS bench_marker (n int PRIMARY KEY, at timestamptz)")
    deadline = time.perf_counter() + seconds
    writes = 0

    async def writer() -> None:
        nonlocal writes
        from bench.minimal import ACTIVITY, STATS

        while time.perf_counter() < deadline:
            unit = villages[writes % len(villages)]
            async with writer_conn.transaction():
                await writer_conn.fetchrow(ACTIVITY, uuid.uuid4(), unit, None, _now(), "dvc_account", 1, 0)
                await writer_conn.execute(STATS, unit, _now(), 1, 0, 0)
            writes += 1

    delays, lags = [], []

    async def probe() -> None:
        n = 0
        while time.perf_counter() < deadline:
            n += 1
            await marker_conn.execute("INSERT INTO bench_marker VALUES ($1, now())", n)
            committed = time.perf_counter()
            while not await replica_conn.fetchval("SELECT 1 FROM bench_marker WHERE n = $1", n):
                await asyncio.sleep(0.001)
            delays.append((time.perf_counter() - committed) * 1000)
            lags.append(float(await replica_conn.fetchval(str(LAG))))
            await asyncio.sleep(0.1)

    try:
        started = time.perf_counter()
        await asyncio.gather(writer(), probe())
        elapsed = time.perf_counter() - started
        behind = await replica_conn.fetchval("SELECT pg_last_wal_replay_lsn()")
        ahead = await marker_conn.fetchval("SELECT pg_current_wal_lsn()")
        byte_lag = await marker_conn.fetchval("SELECT pg_wal_lsn_diff($1, $2)", ahead, behind)
    finally:
        for conn in (writer_conn, marker_conn, replica_conn):
            await conn.close()
    return {"writes_per_s": writes / elapsed, "visible_after_ms": _percentiles(delays),
            "lag_query_s": _percentiles(lags), "bytes_behind_at_end": float(byte_lag)}  # fmt: skip


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


async def _kpi_through_replica(cluster: Cluster, data, samples: int) -> dict:
    from app.authz.permissions import Role
    from app.authz.principal import Grant, Principal
    from app.core.config import get_settings
    from app.core.db import db
    from app.core.replica import replica
    from app.kpi import service

    admin = Principal(uuid.UUID(int=0), "bench", (Grant(Role.admin, None, ""),))
    conn = await asyncpg.connect(data.url)
    province = await conn.fetchval("SELECT id FROM units WHERE code = $1", seed.PROVINCE_CODE)
    await conn.close()
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "DATABASE_REPLICA_URL", "REPLICA_MAX_LAG_SECONDS",
                                            "REPLICA_CHECK_SECONDS")}  # fmt: skip
    os.environ |= {"DATABASE_URL": cluster.url(cluster.primary_port),
                   "DATABASE_REPLICA_URL": cluster.url(cluster.standby_port),
                   "REPLICA_MAX_LAG_SECONDS": str(BOUND), "REPLICA_CHECK_SECONDS": "0.5"}  # fmt: skip
    get_settings.cache_clear()
    await db.dispose()
    results: dict = {}

    async def read() -> str:
        """One KPI read through the routing; which database answered."""
        answered = []

        async def kpi(session, *args):
            answered.append("replica" if session.bind.url.port == cluster.standby_port else "primary")
            return await service.read_kpi(session, *args)

        await replica.read(kpi, admin, province, "2026")
        return answered[-1]

    async def timed(label: str, n: int) -> None:
        where, times = [], []
        for _ in range(n):
            started = time.perf_counter()
            where.append(await read())
            times.append((time.perf_counter() - started) * 1000)
        results[label] = _percentiles(times) | {"served_by": {w: where.count(w) for w in set(where)}}

    try:
        await timed("warm-up", 10)
        await timed("through the replica", samples)
        os.environ["DATABASE_REPLICA_URL"] = ""
        get_settings.cache_clear()
        await timed("on the primary", samples)
        os.environ["DATABASE_REPLICA_URL"] = cluster.url(cluster.standby_port)
        get_settings.cache_clear()
        await replica.dispose()

        # The lag bound, for real: replay paused, a write on the primary, reads leave the replica.
        standby = await asyncpg.connect(cluster.url(cluster.standby_port))
        primary = await asyncpg.connect(cluster.url(cluster.primary_port))
        await read()
        await standby.execute("SELECT pg_wal_replay_pause()")
        await primary.execute("INSERT INTO bench_marker VALUES (-1, now())")
        started = time.perf_counter()
        while (await read()) == "replica" and time.perf_counter() - started < 30:
            await asyncio.sleep(0.05)
        left_after = time.perf_counter() - started
        lag_seen = replica.lag
        await standby.execute("SELECT pg_wal_replay_resume()")
        started = time.perf_counter()
        while (await read()) == "primary" and time.perf_counter() - started < 30:
            await asyncio.sleep(0.05)
        results["lag bound"] = {"left_the_replica_after_s": left_after, "lag_at_that_check_s": lag_seen,
                                "back_after_resume_s": time.perf_counter() - started}  # fmt: skip
        await standby.close()
        await primary.close()

        # The replica stopped: every read still answered, from the primary.
        cluster.stop(cluster.standby)
        await timed("replica stopped", 50)
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
        await db.dispose()
    return results


async def run(options) -> dict:
    cluster = Cluster()
    try:
        started = time.perf_counter()
        await asyncio.to_thread(cluster.start_primary)
        data = await seed.ensure_seeded(options.replica_households, cluster.url(cluster.primary_port))
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        await asyncio.to_thread(cluster.start_standby)
        basebackup = time.perf_counter() - started
        print(f"replica: primary :{cluster.primary_port} seeded in {seeded:.0f} s, standby :"
              f"{cluster.standby_port} from pg_basebackup in {basebackup:.1f} s", flush=True)  # fmt: skip
        conn = await asyncpg.connect(cluster.url(cluster.primary_port))
        villages = [
            r["id"] for r in await conn.fetch("SELECT id FROM units WHERE level = 'village' LIMIT 300")
        ]
        size = await conn.fetchval("SELECT pg_database_size(current_database())")
        await conn.close()
        lag = await _replay_lag_under_writes(cluster.url(cluster.primary_port),
                                             cluster.url(cluster.standby_port), options.replica_write_seconds,
                                             villages)  # fmt: skip
        kpi = await _kpi_through_replica(cluster, data, options.replica_samples)
    finally:
        await asyncio.to_thread(cluster.close)
    table = [["case", "n", "p50 ms", "p99 ms", "max ms", "served by"]]
    for label, r in kpi.items():
        if "p50" in r:
            served = ", ".join(f"{k} {v}" for k, v in sorted(r["served_by"].items()))
            table.append([f"KPI province: {label}", str(r["n"]), f"{r['p50']:.1f}", f"{r['p99']:.1f}",
                          f"{r['max']:.1f}", served])  # fmt: skip
    v = lag["visible_after_ms"]
    table.append(["a commit visible on the replica", str(v["n"]), f"{v['p50']:.1f}", f"{v['p99']:.1f}",
                  f"{v['max']:.1f}", f"under {lag['writes_per_s']:,.0f} writes/s"])  # fmt: skip
    bound = kpi["lag bound"]
    through, direct = kpi["through the replica"], kpi["on the primary"]
    notes = [
        f"temporary primary ({options.replica_households:,} households, {size / 2**20:,.0f} MiB) seeded in "
        f"{seeded:.0f} s; pg_basebackup -R and start of the standby {basebackup:.1f} s",
        f"replay lag under writes: app's lag query p50 {lag['lag_query_s']['p50']:.3f} s, max "
        f"{lag['lag_query_s']['max']:.3f} s; {lag['bytes_behind_at_end']:,.0f} bytes of WAL behind at the "
        "end",
        f"replay paused: reads left the replica {bound['left_the_replica_after_s']:.1f} s after the write "
        f"(bound {BOUND:.0f} s, lag seen {bound['lag_at_that_check_s']}); back on it "
        f"{bound['back_after_resume_s']:.1f} s after replay resumed",
        f"KPI through the replica p50 {through['p50']:.1f} ms vs on the primary {direct['p50']:.1f} ms "
        "(the routing's own cost: a cached check, a second pool)",
    ]
    stopped = kpi["replica stopped"]
    ok = (
        through["served_by"].get("replica", 0) == through["n"]
        and direct["served_by"].get("primary", 0) == direct["n"]
        and stopped["served_by"].get("primary", 0) == stopped["n"]
        and bound["left_the_replica_after_s"] < 30
        and bound["back_after_resume_s"] < 30
    )
    return {"name": NAME, "ok": ok, "lag": lag, "kpi": kpi, "table": table, "notes": notes}
