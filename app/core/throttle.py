"""Rate limits and login-failure counting: in this process, or shared through Redis (REDIS_URL).

Two mechanisms behind one object, `throttle`:

- `await throttle.hit(key, per_minute, burst)`: a token bucket of `burst` tokens refilled at
  `per_minute` (kept as GCRA: one "theoretical arrival time" per key). None when the request may
  go, else the seconds to wait.
- `await throttle.retry_after(key, limit, window)`, `add(key, window)`, `forget(key)`: failures in
  a sliding window (sign-in), as `FailureWindow` below.

With REDIS_URL set, both live in Redis as atomic Lua scripts on the server's clock, so every worker
and machine shares one budget. When Redis cannot be reached the request is never failed for it: rate
limits let it through (fail open) and login failures fall back to this process's window, with one
warning; Redis is tried again `RETRY_SECONDS` later. Keys are hashed, so no username reaches Redis.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time
from collections import deque

from app.core.config import get_settings

log = logging.getLogger("app.throttle")
RETRY_SECONDS = 5.0  # after a Redis error, in-process only for this long
REDIS_TIMEOUT = 0.25  # seconds: a limiter must never be what makes a request slow
SWEEP_EVERY = 4096  # in-process buckets: forget full ones every this many hits


class FailureWindow:
    """Failures per key in a sliding window, in this process."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, window: float, now: float) -> deque[float]:
        hits = self._failures.get(key)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - window:
            hits.popleft()
        if not hits:
            del self._failures[key]
        return hits

    def retry_after(self, key: str, limit: int, window: float) -> int | None:
        """Seconds to wait when `key` has `limit` failures within the window, else None."""
        now = time.monotonic()
        hits = self._recent(key, window, now)
        if len(hits) < limit:
            return None
        return int(hits[-limit] + window - now) + 1

    def add(self, key: str, window: float | None = None) -> None:
        self._failures.setdefault(key, deque()).append(time.monotonic())

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)

    def clear(self) -> None:
        self._failures.clear()


class TokenBuckets:
    """Token buckets in this process, as GCRA: `burst` requests at once, then one per 60/per_minute s."""

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}
        self._hits = 0

    def hit(self, key: str, per_minute: int, burst: int) -> float | None:
        now = time.monotonic()
        interval = 60.0 / per_minute
        tat = max(self._tat.get(key, now), now) + interval
        wait = tat - burst * interval - now
        if wait > 0:
            return wait
        self._tat[key] = tat
        self._hits += 1
        if self._hits % SWEEP_EVERY == 0:
            self._tat = {k: t for k, t in self._tat.items() if t > now}  # a full bucket is no bucket
        return None

    def clear(self) -> None:
        self._tat.clear()


# KEYS[1] the bucket; ARGV: emission interval (ms), burst. Returns 0 (go) or the ms to wait.
GCRA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
tat = tat + interval
local wait = tat - tonumber(ARGV[2]) * interval - now
if wait > 0 then return math.ceil(wait) end
redis.call('SET', KEYS[1], tat, 'PX', math.ceil(tat - now))
return 0
"""
# KEYS[1] the failure set; ARGV: window (ms), limit. Returns 0 or the ms until a failure leaves it.
FAILURES_WAIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < limit then return 0 end
local oldest = redis.call('ZRANGE', KEYS[1], -limit, -limit, 'WITHSCORES')
return math.max(1, math.ceil(tonumber(oldest[2]) + window - now))
"""
# KEYS[1] the failure set; ARGV: window (ms), a unique member.
FAILURES_ADD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[1]))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1
"""


class _Redis:
    """One client and its scripts for one URL (redis-py asyncio, imported only when configured)."""

    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis
        from redis.asyncio.retry import Retry
        from redis.backoff import NoBackoff

        self.url = url
        # One immediate retry (a pooled connection Redis closed), never redis-py's backoff of seconds.
        self.client = Redis.from_url(
            url,
            socket_connect_timeout=REDIS_TIMEOUT,
            socket_timeout=REDIS_TIMEOUT,
            retry=Retry(NoBackoff(), 1),
            health_check_interval=30,
        )
        self.gcra = self.client.register_script(GCRA)
        self.failures_wait = self.client.register_script(FAILURES_WAIT)
        self.failures_add = self.client.register_script(FAILURES_ADD)


def _hashed(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:32]


class Throttle:
    """Rate limits and failure windows, in Redis when REDIS_URL is set, else in this process."""

    def __init__(self) -> None:
        self.buckets = TokenBuckets()
        self.failures = FailureWindow()
        self._redis: _Redis | None = None
        self._down_until = 0.0
        self.errors = 0  # Redis errors seen (each one let a request through or fell back)

    async def _store(self) -> _Redis | None:
        """The Redis store to use now, or None (not configured, or resting after an error)."""
        url = get_settings().redis_url
        if not url:
            return None
        if self._redis is None or self._redis.url != url:
            await self.close()
            self._redis = _Redis(url)
        if self._down_until and time.monotonic() < self._down_until:
            return None
        return self._redis

    def _failed(self, exc: Exception, what: str) -> None:
        self.errors += 1
        if time.monotonic() >= self._down_until:
            log.warning("Redis unreachable (%s): %s for %.0f s", type(exc).__name__, what, RETRY_SECONDS)
        self._down_until = time.monotonic() + RETRY_SECONDS

    @staticmethod
    def _key(kind: str, key: str) -> str:
        return f"{get_settings().redis_prefix}{kind}:{_hashed(key)}"

    async def hit(self, key: str, per_minute: int, burst: int) -> float | None:
        """Take a token from `key`'s bucket: None when the request may go, else seconds to wait."""
        store = await self._store()
        if store is None:
            if get_settings().redis_url:  # configured but failing: fail open
                return None
            return self.buckets.hit(key, per_minute, burst)
        try:
            interval = max(1, round(60_000 / per_minute))
            wait = await store.gcra(keys=[self._key("rl", key)], args=[interval, burst])
        except Exception as exc:  # noqa: BLE001 - any Redis failure: let the request through
            self._failed(exc, "rate limits are off")
            return None
        return int(wait) / 1000 if wait else None

    async def retry_after(self, key: str, limit: int, window: float) -> int | None:
        """Seconds to wait when `key` has `limit` failures within `window` seconds, else None."""
        store = await self._store()
        if store is not None:
            try:
                ms = await store.failures_wait(keys=[self._key("lf", key)], args=[int(window * 1000), limit])
                return -(-int(ms) // 1000) if ms else None
            except Exception as exc:  # noqa: BLE001
                self._failed(exc, "login throttling is per process")
        return self.failures.retry_after(key, limit, window)

    async def add(self, key: str, window: float) -> None:
        """Count one failure for `key`, kept for `window` seconds."""
        store = await self._store()
        if store is not None:
            try:
                member = os.urandom(8).hex()
                await store.failures_add(keys=[self._key("lf", key)], args=[int(window * 1000), member])
                return
            except Exception as exc:  # noqa: BLE001
                self._failed(exc, "login throttling is per process")
        self.failures.add(key, window)

    async def forget(self, key: str) -> None:
        """Forget `key`'s failures (a successful sign-in)."""
        self.failures.forget(key)
        store = await self._store()
        if store is not None:
            try:
                await store.client.delete(self._key("lf", key))
            except Exception as exc:  # noqa: BLE001
                self._failed(exc, "login throttling is per process")

    def clear(self) -> None:
        """Forget everything kept in this process (tests); Redis keys expire by themselves."""
        self.buckets.clear()
        self.failures.clear()
        self._down_until = 0.0

    async def close(self) -> None:
        if self._redis is not None:
            redis, self._redis = self._redis, None
            with contextlib.suppress(Exception):  # closing a broken client
                await redis.client.aclose()


throttle = Throttle()
