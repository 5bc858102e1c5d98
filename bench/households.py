"""Household list throughput: the app's `GET /api/v1/households` against the minimal baseline.

Two pages, each 50 households by head name with the total, out of N households (1 million):
- `commune`: a commune's subtree (~10,000 households in 30 villages): what a commune officer opens;
- `village`: one village (~330 households): what a team's phone syncs.
Both stacks serve the same page (checked: same JSON) from the same database, each in one uvicorn
worker, loaded by the same client in the same run. The app is called as a real commune officer with
a real access token; the baseline has no authentication. The goal (the issue): the app reaches at
least half the baseline's requests/s.

    python -m bench --only households [--households N] [--scenario commune|village] [--rounds R]
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import statistics
from pathlib import Path

from bench.load import LoadResult, Server, fetch, machine_ticks, run_load
from bench.seed import ensure_seeded

NAME = "households"
GOAL = 0.5  # app requests/s ÷ minimal requests/s
BUSY = 0.25  # machine busy share before a run above which the figures are flagged
ROOT = Path(__file__).resolve().parents[1]
PAGE = "unit_id={unit}&limit=50&offset=0"


def _secret_key() -> str:
    """One 40+ character key shared by the app server (ENVIRONMENT=production) and the token we mint."""
    from app.core.config import get_settings

    key = os.environ.get("SECRET_KEY", "")
    if len(key) < 40:
        key = os.environ["SECRET_KEY"] = secrets.token_urlsafe(48)
        get_settings.cache_clear()
    return key


def _token(data) -> str:
    """An access token of the commune officer the seeder made: its rights come from the database."""
    from app.auth.service import access_token

    return access_token(data.user_id)[0]


SCENARIOS = {
    "commune": "a commune: 50 of its ~10,000 households (30 villages), by head name, and the total",
    "village": "a village: 50 of its ~330 households, by head name, and the total",
}


# The app as deployed (ENVIRONMENT=production: JSON logs, access log, metrics), except the per-caller
# rate limit: one caller sending thousands of requests a second would get 429s. It stays on, out of
# reach, so its cost is measured.
APP_ENV = {"RATE_LIMIT_PER_MINUTE": "100000000", "RATE_LIMIT_BURST": "1000000"}


def add_arguments(parser) -> None:
    parser.add_argument("--scenario", action="append", choices=list(SCENARIOS),
                        help="households: only this page (default: both)")  # fmt: skip
    parser.add_argument("--app-env", action="append", default=[], metavar="NAME=VALUE",
                        help="households: a setting for the app server, e.g. ACCESS_LOG=false")  # fmt: skip


def _stacks(data, key: str, results_dir: Path, app_env: list[str]) -> dict[str, dict]:
    env = os.environ | {
        "DATABASE_URL": data.url,
        "ENVIRONMENT": "production",
        "SECRET_KEY": key,
        "PYTHONUNBUFFERED": "1",
    }
    overrides = dict(item.split("=", 1) for item in app_env)
    app = env | APP_ENV | overrides
    units = {"commune": data.commune_id, "village": data.village_id}
    return {
        "app": {
            "label": "FastAPI app",
            "server": lambda: Server("api.asgi:app", app, ready_path="/readyz", cwd=ROOT,
                                     log_path=results_dir / "households-app.log"),
            "paths": {name: f"/api/v1/households?{PAGE.format(unit=unit)}" for name, unit in units.items()},
            "headers": lambda: {"Authorization": f"Bearer {_token(data)}"},
        },
        "minimal": {
            "label": "Starlette + asyncpg + orjson",
            "server": lambda: Server("bench.minimal:app", env, cwd=ROOT,
                                     ready_path=f"/households?{PAGE.format(unit=data.commune_id)}",
                                     log_path=results_dir / "households-minimal.log"),
            "paths": {name: f"/households?{PAGE.format(unit=unit)}" for name, unit in units.items()},
            "headers": lambda: {},
        },
    }  # fmt: skip


async def _machine_busy(seconds: float = 1.0) -> float:
    """Share of the machine's CPU busy right now (others' work competes with the benchmark)."""
    busy, total = machine_ticks()
    await asyncio.sleep(seconds)
    busy2, total2 = machine_ticks()
    return (busy2 - busy) / (total2 - total) if total2 > total else 0.0


async def _measure(stack: dict, scenarios: list[str], options, pages: dict, name: str) -> dict:
    """Start the stack's server once and load each scenario's page in turn."""
    results = {}
    async with stack["server"]() as server:
        for scenario in scenarios:
            path, headers = stack["paths"][scenario], stack["headers"]()
            status, body = await fetch(server.host, server.port, path, headers)
            if status != 200:
                raise RuntimeError(f"{name}: GET {path} answered {status}: {body[:500]!r}")
            pages[(scenario, name)] = json.loads(body)
            busy = await _machine_busy()
            result = await run_load(
                server.host,
                server.port,
                path,
                headers=headers,
                connections=options.connections,
                duration=options.duration,
                warmup=options.warmup,
                server_pid=server.pid,
            )
            result.busy_before = busy
            results[scenario] = result
            print(
                f"    {scenario:8s} {name:8s} {result.rps:7,.0f} req/s  p50 {result.p50_ms:6.1f} ms  "
                f"p99 {result.p99_ms:6.1f} ms  server {result.server_cpu_us_per_request:6,.0f} µs/req  "
                f"non-200 {result.non_200}  (machine {busy:.0%} busy before)"
                + (f"  errors: {'; '.join(result.errors)}" if result.errors else ""),
                flush=True,
            )
    return results


def _same_page(app: dict, minimal: dict) -> list[str]:
    """Differences between the two pages (there should be none)."""
    problems = [f"{k}: app {app[k]!r} ≠ minimal {minimal[k]!r}" for k in ("total", "limit", "offset")
                if app[k] != minimal[k]]  # fmt: skip
    if [h["id"] for h in app["items"]] != [h["id"] for h in minimal["items"]]:
        problems.append("the items differ (ids or order)")
    elif app["items"] != minimal["items"]:
        problems.append("same ids, but some values are serialized differently")
    return problems


def _median(results: list[LoadResult], attribute: str) -> float:
    return statistics.median(getattr(r, attribute) for r in results)


def _summary(results: list[LoadResult]) -> dict:
    return {
        "rps": _median(results, "rps"),
        "p50_ms": _median(results, "p50_ms"),
        "p99_ms": _median(results, "p99_ms"),
        "server_cpu": _median(results, "server_cpu"),
        "server_cpu_us_per_request": _median(results, "server_cpu_us_per_request"),
        "client_cpu": _median(results, "client_cpu"),
        "machine_cpu": _median(results, "machine_cpu"),
        "busy_before": max(r.busy_before for r in results),
        "non_200": sum(r.non_200 for r in results),
        "errors": sorted({e for r in results for e in r.errors}),
    }


async def run(options) -> dict:
    data = await ensure_seeded(options.households)
    scenarios = options.scenario or list(SCENARIOS)
    print(
        f"households: {data.households:,} in the database; the commune has {data.commune_households:,}, "
        f"the village {data.village_households:,}",
        flush=True,
    )
    results_dir = Path(options.results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    stacks = _stacks(data, _secret_key(), results_dir, options.app_env)
    runs: dict[tuple[str, str], list[LoadResult]] = {(s, n): [] for s in scenarios for n in stacks}
    pages: dict = {}
    for round_ in range(options.rounds):
        order = ["app", "minimal"] if round_ % 2 == 0 else ["minimal", "app"]
        for name in order:
            print(f"  round {round_ + 1}/{options.rounds}: {name}", flush=True)
            for scenario, result in (await _measure(stacks[name], scenarios, options, pages, name)).items():
                runs[(scenario, name)].append(result)

    table = [["page", "stack", "req/s", "p50 ms", "p99 ms", "server CPU", "server µs/req", "client CPU",
              "non-200"]]  # fmt: skip
    notes, report = [], {}
    for scenario in scenarios:
        summary = {name: _summary(runs[(scenario, name)]) for name in stacks}
        ratio = summary["app"]["rps"] / summary["minimal"]["rps"] if summary["minimal"]["rps"] else 0.0
        differences = _same_page(pages[(scenario, "app")], pages[(scenario, "minimal")])
        report[scenario] = {
            "description": SCENARIOS[scenario],
            "households_in_page_scope": data.commune_households if scenario == "commune"
            else data.village_households,
            "ratio": ratio,
            "goal_met": ratio >= GOAL,
            "summary": summary,
            "page_differences": differences,
            "runs": {name: [r.as_dict() for r in runs[(scenario, name)]] for name in stacks},
        }  # fmt: skip
        for name, s in summary.items():
            table.append([scenario, stacks[name]["label"], f"{s['rps']:,.0f}", f"{s['p50_ms']:.1f}",
                          f"{s['p99_ms']:.1f}", f"{s['server_cpu']:.0%}",
                          f"{s['server_cpu_us_per_request']:,.0f}", f"{s['client_cpu']:.0%}",
                          str(s["non_200"] + len(s["errors"]))])  # fmt: skip
        verdict = "met" if ratio >= GOAL else "NOT met"
        notes.append(f"{scenario}: app/minimal = {ratio:.3f}× (goal ≥ {GOAL}×: {verdict})")
        notes += [f"{scenario}: page mismatch: {d}" for d in differences]
        busy = max(s["busy_before"] for s in summary.values())
        if busy > BUSY:
            notes.append(f"{scenario}: the machine was {busy:.0%} busy before a run: other work competed")
    ok = all(r.ok for rs in runs.values() for r in rs) and not any(
        report[s]["page_differences"] for s in scenarios
    )
    return {
        "name": NAME,
        "ok": ok,
        "goal": GOAL,
        "goal_met": all(report[s]["goal_met"] for s in scenarios),
        "households": data.households,
        "connections": options.connections,
        "duration_s": options.duration,
        "warmup_s": options.warmup,
        "rounds": options.rounds,
        "app_env": APP_ENV | dict(item.split("=", 1) for item in options.app_env),
        "scenarios": report,
        "table": table,
        "notes": notes,
    }
