"""KPI reads and household writes with aggregates maintained (issue 4).

In-process, through the service layer (no HTTP): `read_kpi` for the province and one commune
against the naive full scan of the same subtree (`engine.naive_sums`), at two scales (the main
data set and a tenfold smaller one in a second database), and household updates per second with
the aggregate upsert against the same updates with it switched off.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

from sqlalchemy import select

from bench import seed

PERIOD = "2026"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kpi-samples", type=int, default=60, help="KPI reads per case")
    parser.add_argument("--kpi-updates", type=int, default=300, help="household updates per round")


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


async def _measure(url: str, options) -> dict:
    from sqlalchemy.ext.asyncio import async_sessionmaker

    from app.authz.permissions import Role
    from app.authz.principal import Grant, Principal
    from app.core.db import create_engine
    from app.kpi import engine as kpi_engine
    from app.kpi import service
    from app.kpi.indicators import evaluate
    from app.kpi.periods import parse_period
    from app.models import Unit

    engine = create_engine(url=url.replace("postgresql://", "postgresql+asyncpg://", 1))
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    admin = Principal(uuid.UUID(int=0), "bench", (Grant(Role.admin, None, ""),))
    period = parse_period(PERIOD)
    results = {}
    try:
        async with sessions() as session:
            province = await session.scalar(select(Unit).where(Unit.code == seed.PROVINCE_CODE))
            commune = await session.scalar(select(Unit).where(Unit.code == f"{seed.PROVINCE_CODE}-C001"))
            for label, unit in (("province", province), ("commune", commune)):
                maintained, naive = [], []
                for _ in range(options.kpi_samples):
                    started = time.perf_counter()
                    await service.read_kpi(session, admin, unit.id, PERIOD)
                    maintained.append((time.perf_counter() - started) * 1000)
                for _ in range(max(5, options.kpi_samples // 6)):
                    started = time.perf_counter()
                    evaluate(await kpi_engine.naive_sums(session, unit, period), {})
                    naive.append((time.perf_counter() - started) * 1000)
                results[label] = {"maintained": _percentiles(maintained), "naive": _percentiles(naive)}
    finally:
        await engine.dispose()
    return results


async def _updates(url: str, options) -> dict:
    """Household visits per second, each committed, in three ways in the same run (alternating order):
    as the app writes them (an observation in the household's history, the monthly rows it changes);
    as it wrote them before the history (one delta of the current state on the current month: the
    baseline of issue 19's "≥ 0.9× today's write throughput"); and with no aggregates at all."""
    from collections import defaultdict

    from sqlalchemy.ext.asyncio import async_sessionmaker

    from app import records
    from app.authz.permissions import Role
    from app.authz.principal import Grant, Principal
    from app.core.db import create_engine
    from app.households import service
    from app.households.schemas import HouseholdUpdate
    from app.kpi import aggregates, observations
    from app.kpi.periods import month_of
    from app.models import Household, HouseholdStats, Unit
    from app.models.base import utcnow
    from app.models.kpi import HOUSEHOLD_COUNTERS

    engine = create_engine(url=url.replace("postgresql://", "postgresql+asyncpg://", 1))
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    admin = Principal(uuid.UUID(int=0), "bench", (Grant(Role.admin, None, ""),))
    real = service.Households.written

    async def current_state_only(_self, w, before, after):
        deltas: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(HOUSEHOLD_COUNTERS))
        for record, sign in ((before, -1), (after, 1)):
            if record is not None:
                row = deltas[(record.unit_id, month_of(utcnow()))]
                for i, value in enumerate(observations.vector(record)):
                    row[i] += sign * value
        await aggregates._add(w.session, HouseholdStats, aggregates.KEYS, HOUSEHOLD_COUNTERS, deltas)

    async def nothing(*_args, **_kwargs):
        return None

    ways = {"with history": real, "current state only": current_state_only, "no aggregates": nothing}
    rates: dict[str, list[float]] = {label: [] for label in ways}
    try:
        async with sessions() as session:
            village = await session.scalar(select(Unit).where(Unit.code == f"{seed.PROVINCE_CODE}-C001-V01"))
            ids = list(
                await session.scalars(select(Household.id).where(Household.unit_id == village.id).limit(50))
            )
        for round_ in range(3):
            for label in list(ways)[round_ % 3 :] + list(ways)[: round_ % 3]:
                service.Households.written = ways[label]
                started = time.perf_counter()
                for i in range(options.kpi_updates):
                    async with sessions() as session:
                        change = HouseholdUpdate(informed=bool(i % 2), adults_smartphone=0)
                        await records.update(
                            session, admin, service.HOUSEHOLDS, ids[i % len(ids)], change, None
                        )
                        await session.commit()
                rates[label].append(options.kpi_updates / (time.perf_counter() - started))
        service.Households.written = real
        async with sessions() as session:  # the other rounds left the village's history behind: rebuild it
            await session.execute(
                observations.TABLE.delete().where(observations.TABLE.c.household_id.in_(ids))
            )
            await observations.backfill(session)
            await aggregates.households_recount(session, {village.id})
            await session.commit()
    finally:
        service.Households.written = real
        await engine.dispose()
    return {label: statistics.median(values) for label, values in rates.items()}


async def run(options: argparse.Namespace) -> dict:
    big = await seed.ensure_seeded(options.households)
    small_url = big.url.rsplit("/", 1)[0] + "/" + big.url.rsplit("/", 1)[1] + "_small"
    small = await seed.ensure_seeded(options.households // 10, small_url)
    rows = [["case", "households", "p50 ms", "p99 ms", "naive p50 ms", "naive p99 ms", "speed-up (p50)"]]
    figures = {}
    for data in (small, big):
        measured = await _measure(data.url, options)
        figures[data.households] = measured
        for label, values in measured.items():
            (p50, p99), (n50, n99) = values["maintained"], values["naive"]
            rows.append(
                [
                    f"GET kpi {label}",
                    f"{data.households:,}",
                    f"{p50:.1f}",
                    f"{p99:.1f}",
                    f"{n50:.1f}",
                    f"{n99:.1f}",
                    f"{n50 / p50:.0f}×",
                ]
            )
    updates = await _updates(big.url, options)
    ratio = updates["with history"] / updates["current state only"]
    rows.append(
        [
            "household updates/s",
            f"{big.households:,}",
            f"{updates['with history']:.0f} with history",
            f"{updates['current state only']:.0f} current state only",
            f"{updates['no aggregates']:.0f} no aggregates",
            "",
            f"{ratio:.2f}×",
        ]
    )
    province_p99 = figures[big.households]["province"]["maintained"][1]
    growth = (
        figures[big.households]["province"]["maintained"][0]
        / figures[small.households]["province"]["maintained"][0]
    )
    notes = [
        "In-process through the service layer (read_kpi; update_household committing each update), no HTTP.",
        f"Province p99 {province_p99:.1f} ms (goal < 25 ms); province p50 at {big.households:,} / at "
        f"{small.households:,} households = {growth:.2f} (goal: roughly flat).",
        f"Household updates with their history and monthly rows: {ratio:.2f}× the rate of the same updates "
        f"keeping the current state only, as before the history (goal ≥ 0.9×); "
        f"{updates['with history'] / updates['no aggregates']:.2f}× the rate with no aggregates at all.",
    ]
    ok = province_p99 < 25 and ratio >= 0.9
    return {
        "name": "kpi",
        "ok": ok,
        "table": rows,
        "notes": notes,
        "figures": {"updates": updates, "kpi": {str(k): v for k, v in figures.items()}},
    }
