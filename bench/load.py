"""A small closed-loop HTTP/1.1 load generator: N keep-alive connections over raw asyncio streams.

Each connection sends one GET, reads the whole response, and sends the next; requests completed in
the measured window (after the warm-up) count. Only loopback targets are allowed, and every run is
bounded: the workers are cancelled `timeout` seconds after the window closes whatever happens.

It also samples CPU time (this process, the server process, the whole machine) over the window, so
a report can say whether the client or the server was the bottleneck on a small machine.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class LoadResult:
    requests: int  # completed in the window
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    statuses: dict[str, int]  # status code -> count, in the window
    non_200: int
    errors: list[str] = field(default_factory=list)  # transport errors and timeouts
    client_cpu: float = 0.0  # share of one core used by this process over the window
    server_cpu: float = 0.0  # share of one core used by the server process
    machine_cpu: float = 0.0  # busy share of all cores
    server_cpu_us_per_request: float = 0.0
    busy_before: float = 0.0  # machine busy share just before the run (set by the caller)

    @property
    def ok(self) -> bool:
        return self.non_200 == 0 and not self.errors and self.requests > 0

    def as_dict(self) -> dict:
        return asdict(self) | {"ok": self.ok}


def _check_target(host: str) -> None:
    if host not in LOOPBACK:
        raise ValueError(f"The load generator only targets this machine, not {host!r}")


def _request(
    host: str, port: int, path: str, headers: dict[str, str], method: str = "GET", body: bytes | None = None
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Accept: application/json"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def post_request(host: str, port: int, path: str, headers: dict[str, str], body: bytes) -> bytes:
    """One POST with a JSON body, as `run_load(make_request=…)` sends them."""
    return _request(host, port, path, headers, "POST", body)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """(status, body, keep-alive) of one response; Content-Length or chunked bodies."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, chunked, keep_alive = None, False, True
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding" and "chunked" in value.lower():
            chunked = True
        elif name == "connection" and "close" in value.lower():
            keep_alive = False
    if chunked:
        parts = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            parts.append(await reader.readexactly(size))
            await reader.readexactly(2)
        return status, b"".join(parts), keep_alive
    body = await reader.readexactly(length) if length else b""
    return status, body, keep_alive


async def fetch(
    host: str, port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[int, bytes]:
    """One request on a fresh connection: (status, body)."""
    _check_target(host)
    async with asyncio.timeout(timeout):
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(_request(host, port, path, (headers or {}) | {"Connection": "close"}))
            status, body, _ = await _read_response(reader)
        finally:
            writer.close()
    return status, body


def _process_ticks(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def machine_ticks() -> tuple[int, int]:
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


class _CpuSample:
    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.wall = time.perf_counter()
        self.client = time.process_time()
        self.server = _process_ticks(server_pid) if server_pid else 0
        self.busy, self.total = machine_ticks()

    def since(self, start: _CpuSample) -> tuple[float, float, float, float]:
        wall = self.wall - start.wall
        server_seconds = (self.server - start.server) / CLOCK_TICKS
        total = self.total - start.total
        return (
            (self.client - start.client) / wall,
            server_seconds / wall,
            (self.busy - start.busy) / total if total else 0.0,
            server_seconds,
        )


async def run_load(
    host: str,
    port: int,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    connections: int = 32,
    duration: float = 10,
    warmup: float = 2,
    timeout: float = 10,
    server_pid: int | None = None,
    make_request: Callable[[], bytes] | None = None,
    expect: int = 200,
) -> LoadResult:
    """Closed-loop load: `connections` keep-alive clients for warmup + duration seconds, each sending
    GET `path`, or a new request from `make_request()` each time (writes); `expect` is the success
    status (any other counts in `non_200`)."""
    _check_target(host)
    request = _request(host, port, path, headers or {})
    loop = asyncio.get_running_loop()
    start = loop.time()
    window_start, window_end = start + warmup, start + warmup + duration
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    samples: list[_CpuSample] = []

    async def sample_cpu() -> None:
        await asyncio.sleep(max(0.0, window_start - loop.time()))
        samples.append(_CpuSample(server_pid))
        await asyncio.sleep(max(0.0, window_end - loop.time()))
        samples.append(_CpuSample(server_pid))

    async def client() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            while True:
                sent = loop.time()
                if sent >= window_end:
                    return
                writer.write(make_request() if make_request else request)
                status, _, keep_alive = await _read_response(reader)
                done = loop.time()
                if window_start <= sent and done <= window_end:
                    latencies.append(done - sent)
                    statuses[status] = statuses.get(status, 0) + 1
                if not keep_alive:
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, port)
        finally:
            writer.close()

    async def bounded(coro) -> None:
        try:
            async with asyncio.timeout_at(window_end + timeout):
                await coro
        except TimeoutError:
            errors.append(f"timeout: a request took more than {timeout} s")
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    await asyncio.gather(sample_cpu(), *(bounded(client()) for _ in range(connections)))
    latencies.sort()

    def percentile(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else 0.0

    client_cpu, server_cpu, machine_cpu, server_seconds = (
        samples[1].since(samples[0]) if len(samples) == 2 else (0.0, 0.0, 0.0, 0.0)
    )
    count = len(latencies)
    return LoadResult(
        requests=count,
        seconds=duration,
        rps=count / duration,
        p50_ms=percentile(0.50),
        p90_ms=percentile(0.90),
        p99_ms=percentile(0.99),
        max_ms=latencies[-1] * 1000 if latencies else 0.0,
        statuses={str(k): v for k, v in sorted(statuses.items())},
        non_200=sum(v for k, v in statuses.items() if k != expect),
        errors=sorted(set(errors)),
        client_cpu=client_cpu,
        server_cpu=server_cpu,
        machine_cpu=machine_cpu,
        server_cpu_us_per_request=server_seconds / count * 1e6 if count else 0.0,
    )


def free_port(first: int = 18100, last: int = 18199) -> int:
    """A loopback port in 18100–18199 nobody listens on, tried in random order (other benchmarks on
    the machine pick from the same range)."""
    import random
    import socket

    for port in random.sample(range(first, last + 1), last + 1 - first):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {first}–{last}")


class Server:
    """One uvicorn worker (or `workers`) serving `target` (module:attribute) on a loopback port, as a
    subprocess.

    `async with Server(...) as server:` starts it, waits until `ready_path` answers (any HTTP status
    below 500 counts: the route is up), and stops it (SIGTERM, then SIGKILL) on the way out. The
    server's output goes to `log_path`.
    """

    def __init__(
        self,
        target: str,
        env: dict[str, str],
        *,
        ready_path: str,
        log_path,
        cwd,
        start_timeout: float = 60,
        workers: int = 1,
    ) -> None:
        self.target, self.env, self.ready_path, self.workers = target, env, ready_path, workers
        self.log_path, self.cwd, self.start_timeout = log_path, cwd, start_timeout
        self.host, self.port = "127.0.0.1", 0
        self.process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def __aenter__(self) -> Server:
        import sys

        self.port = free_port()
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in __aexit__
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "uvicorn", self.target,
            "--host", self.host, "--port", str(self.port), "--workers", str(self.workers),
            "--no-access-log", "--log-level", "warning",
            env=self.env, cwd=self.cwd, stdout=self._log, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + self.start_timeout
        while True:
            if self.process.returncode is not None:
                await self._stop()
                raise RuntimeError(
                    f"{self.target} exited with {self.process.returncode}: see {self.log_path}"
                )
            try:
                status, _ = await fetch(self.host, self.port, self.ready_path, timeout=5)
                if status < 500:
                    # Still ours? A server that lost the port to another one exits just after.
                    await asyncio.sleep(0.5)
                    if self.process.returncode is None:
                        return self
                    continue
            except (OSError, TimeoutError, asyncio.IncompleteReadError):
                pass
            if time.monotonic() > deadline:
                await self._stop()
                raise RuntimeError(
                    f"{self.target} not ready after {self.start_timeout} s: see {self.log_path}"
                )
            await asyncio.sleep(0.2)

    async def __aexit__(self, *_) -> None:
        await self._stop()

    async def _stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        self._log.close()
