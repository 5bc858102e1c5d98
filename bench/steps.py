"""Where a recorded activity's time goes: the app in this process, one request at a time, the
thread's CPU time around each step of `POST /api/v1/activities` with an `Idempotency-Key`, and the
statements it sends. Not in `make bench` (no baseline: it explains the `write_path` ratio).

    python -m bench.steps [--requests 1500]

Each step's time includes the round trips it waits for (a round trip costs CPU too: the system
calls and the event loop). `GET /healthz` through the same client is the floor of any request.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import functools
import gc
import logging
import os
import time

from bench.households import APP_ENV, _secret_key, _token
from bench.seed import ensure_seeded
from bench.write_path import _bodies, _villages

cpu: collections.Counter = collections.Counter()
calls: collections.Counter = collections.Counter()


def _timed(owner, name: str, label: str) -> None:
    """Replace the coroutine function `owner.name` with one that adds its CPU time to `label`."""
    original = getattr(owner, name)

    @functools.wraps(original)
    async def timed(*args, **kwargs):
        started = time.thread_time()
        try:
            return await original(*args, **kwargs)
        finally:
            cpu[label] += time.thread_time() - started
            calls[label] += 1

    setattr(owner, name, timed)


async def main(requests: int) -> None:
    data = await ensure_seeded(1_000_000)
    villages = await _villages(data.url)
    os.environ.update({"DATABASE_URL": data.url, "ENVIRONMENT": "production", "SECRET_KEY": _secret_key()})
    os.environ.update(APP_ENV)
    import httpx
    from sqlalchemy import event
    from sqlalchemy.ext.asyncio import AsyncSession

    from api import idempotency
    from api.main import create_app
    from app.authz import scope
    from app.core import batch
    from app.core.db import db
    from app.idempotency import store
    from app.records import writes

    _timed(idempotency, "_caller", "authenticate (token, cached principal)")
    _timed(store, "claim", "claim the key (checkout, its check the BEGIN; INSERT)")
    _timed(writes, "_taken", "replay check with the body's unit (SELECT)")
    _timed(scope, "get_unit_in_scope", "locate the unit (the session's copy)")
    _timed(batch, "send", "record, aggregate, delta, audit, the key's answer (one statement)")
    _timed(store, "answer", "store the answer (with the writes held for it)")
    _timed(AsyncSession, "commit", "COMMIT")

    def counted(_conn, _cursor, statement, *_):
        calls["statements"] += 1

    collecting = [0.0]

    def collector(phase: str, _info: dict) -> None:  # the cyclic collector's passes, in any step
        if phase == "start":
            collecting[0] = time.thread_time()
        else:
            cpu["the cyclic collector (within the above)"] += time.thread_time() - collecting[0]

    gc.callbacks.append(collector)

    app = create_app()
    event.listen(db.engine.sync_engine, "before_cursor_execute", counted)
    headers = {"Authorization": f"Bearer {_token(data)}", "content-type": "application/json"}
    bodies = _bodies(villages)
    logging.disable(logging.CRITICAL)  # the access log's line is part of the request, not its output
    transport = httpx.ASGITransport(app=app)
    # The lifespan as a server runs it (the collector's freeze, the background tasks).
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):

        async def record() -> None:
            activity_id, body = next(bodies)
            started = time.thread_time()
            key = {"Idempotency-Key": f"steps-{activity_id}"}
            answer = await client.post("/api/v1/activities", content=body, headers=headers | key)
            cpu["the whole request (and the in-process client)"] += time.thread_time() - started
            assert answer.status_code == 201, answer.text

        async def health() -> None:
            started = time.thread_time()
            await client.get("/healthz")
            cpu["GET /healthz (the floor of any request)"] += time.thread_time() - started

        for _ in range(200):  # warm: caches, prepared statements, the principal
            await record()
        cpu.clear()
        calls.clear()
        for _ in range(requests):
            await record()
            await health()
    await db.dispose()
    width = max(len(label) for label in cpu)
    for label, seconds in cpu.most_common():
        print(f"{label:{width}s}  {1e6 * seconds / requests:7,.0f} µs")
    label = "statements a request (BEGIN and COMMIT not counted)"
    print(f"{label:{width}s}  {calls['statements'] / requests:7.1f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.steps", description=__doc__)
    parser.add_argument("--requests", type=int, default=1500)
    asyncio.run(main(parser.parse_args().requests))
