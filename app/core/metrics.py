"""Prometheus metrics (prometheus_client): what the HTTP layer, the database pool, the outbox
(idempotent replays) and imports count. `render()` is the text `/metrics` serves.

With several worker processes set PROMETHEUS_MULTIPROC_DIR to an empty directory before they start
(`api.cli serve` empties it): counters and histograms are then summed over every worker. The pool
gauges are read when scraped and are those of the worker that answers the scrape (labelled with
its pid); see README, "How it grows".
"""

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter(
    "http_requests_total", "HTTP requests by method, route template and status", ["method", "route", "status"]
)
LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer, by method and route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
IDEMPOTENT_REPLAYS = Counter(
    "idempotent_replays_total", "POSTs answered from the Idempotency-Key store (an outbox retried)"
)
RECORD_REPLAYS = Counter(
    "client_id_replays_total", "Creates repeated with a client id already stored (an outbox retried)"
)
HOUSEHOLDS_IMPORTED = Counter("households_imported_total", "Household rows written by imports")
IMPORTS = Counter("household_imports_total", "Household imports by kind", ["kind"])
RATE_LIMITED = Counter("rate_limited_total", "Requests refused with 429, by limit", ["limit"])
ACCESS_LOG_DROPPED = Counter(
    "access_log_dropped_total", "Access-log entries dropped: the database was down and the buffer full"
)
DATABASE_UNAVAILABLE = Counter(
    "database_unavailable_total", "Requests answered 503 because the database was unreachable"
)

_request_children: dict[tuple[str, str, int], tuple] = {}


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one request and its latency (the labelled children are cached: no lookups per request)."""
    key = (method, route, status)
    children = _request_children.get(key)
    if children is None:
        children = (REQUESTS.labels(method, route, str(status)), LATENCY.labels(method, route))
        _request_children[key] = children
    children[0].inc()
    children[1].observe(seconds)


class _PoolCollector:
    """The database pool of this process, read at scrape time: size, overflow, checked out."""

    def collect(self):
        from app.core.db import db  # the one engine of this process, when it has been created

        pool = db._engine.pool if db._engine is not None else None  # noqa: SLF001
        labels = ["pid"] if MULTIPROCESS else []
        values = [str(os.getpid())] if MULTIPROCESS else []
        for name, doc, read in (
            ("db_pool_size", "Connections the pool keeps", "size"),
            ("db_pool_checked_out", "Connections in use by requests", "checkedout"),
            ("db_pool_overflow", "Connections open beyond the pool size", "overflow"),
        ):
            family = GaugeMetricFamily(name, doc, labels=labels)
            method = getattr(pool, read, None)
            family.add_metric(values, float(method()) if method else 0.0)
            yield family


pool_collector = _PoolCollector()
REGISTRY.register(pool_collector)


def render() -> bytes:
    if not MULTIPROCESS:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    registry.register(pool_collector)
    return generate_latest(registry)
