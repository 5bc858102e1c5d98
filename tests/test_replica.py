"""Read routing (app/core/replica.py): the replica while it answers and keeps up, else the primary.

The "replica" here is a second database (a second SQLite file, or another database on the same
PostgreSQL server) holding the same unit under another name, so a read says where it was served.
A real streaming replica is exercised by the benchmark (bench/replica.py).
"""

import os
import tempfile
import uuid

import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Role
from app.core import replica as replica_module
from app.core.config import Settings, get_settings
from app.core.db import create_engine
from app.core.errors import NotFound
from app.core.migrate import upgrade
from app.core.replica import Replica, replay_lag
from app.models import Unit
from tests.conftest import PG_URL

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/nowhere"  # nothing listens on port 1: refused at once


@pytest.fixture(scope="session")
async def replica_url(engine):
    """A second database beside the test database, new and migrated for this run, dropped after."""
    name = admin_url = None
    if engine.dialect.name == "postgresql":
        primary = make_url(Settings(database_url=PG_URL).database_url)
        name = f"{primary.database}_replica"
        admin_url = primary.set(drivername="postgresql", database="postgres").render_as_string(
            hide_password=False
        )
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        url = primary.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite+aiosqlite:///{os.path.join(tempfile.mkdtemp(prefix='cnscd-replica-'), 'replica.db')}"
    second = create_engine(url=url)
    try:
        await upgrade(second)
    finally:
        await second.dispose()
    yield url
    if name is not None:
        await replica_module.replica.dispose()
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def configure(monkeypatch):
    """Point DATABASE_REPLICA_URL somewhere; settings and the routing state are reset after."""

    def set_url(url: str, **settings: str) -> None:
        monkeypatch.setenv("DATABASE_REPLICA_URL", url)
        for name, value in settings.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield set_url
    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    get_settings.cache_clear()
    await replica_module.replica.dispose()


@pytest.fixture
async def copy_on_replica(replica_url):
    """Write a unit into the replica database under another name (removed after the test)."""
    second = create_engine(url=Settings(database_url=replica_url).database_url)
    written: list[uuid.UUID] = []

    async def copy(unit: Unit, name: str) -> None:
        async with AsyncSession(second) as session:
            copied = Unit(id=unit.id, code=unit.code, name=name, name_folded=name.lower(), level=unit.level,
                          path=unit.path)  # fmt: skip
            session.add(copied)
            await session.commit()
        written.append(unit.id)

    yield copy
    async with AsyncSession(second) as session:
        for unit_id in written:
            await session.delete(await session.get(Unit, unit_id))
        await session.commit()
    await second.dispose()


async def unit_name(session: AsyncSession, unit_id: uuid.UUID) -> str:
    name = await session.scalar(select(Unit.name).where(Unit.id == unit_id))
    if name is None:
        raise NotFound("Unit not found")
    return name


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_reads_go_to_the_replica(world, configure, replica_url, copy_on_replica):
    configure(replica_url)
    await copy_on_replica(world.p, "Bản sao")
    router = Replica()
    try:
        assert await router.read(unit_name, world.p.id) == "Bản sao"
        assert router.lag == 0.0
    finally:
        await router.dispose()


async def test_without_a_replica_reads_go_to_the_primary(world, configure, replica_url, copy_on_replica):
    await copy_on_replica(world.p, "Bản sao")
    router = Replica()
    assert await router.read(unit_name, world.p.id) == "Tỉnh Thử"
    assert not await router.usable()


async def test_an_unreachable_replica_sends_reads_to_the_primary(world, configure):
    configure(UNREACHABLE)
    router = Replica()
    try:
        assert await router.read(unit_name, world.p.id) == "Tỉnh Thử"
        assert not await router.usable()
        assert router.lag is None
    finally:
        await router.dispose()


async def test_a_lagging_replica_is_left_until_it_catches_up(
    world, configure, replica_url, copy_on_replica, monkeypatch
):
    configure(replica_url, REPLICA_MAX_LAG_SECONDS="30", REPLICA_CHECK_SECONDS="5")
    await copy_on_replica(world.p, "Bản sao")
    lag = {"seconds": 45.0}

    async def measured(_session) -> float:
        return lag["seconds"]

    monkeypatch.setattr(replica_module, "replay_lag", measured)
    clock = Clock()
    router = Replica(clock=clock)
    try:
        assert await router.read(unit_name, world.p.id) == "Tỉnh Thử"
        assert router.lag == 45.0
        lag["seconds"] = 2.0
        clock.now += 4.9  # the last check still holds: no new one before replica_check_seconds
        assert await router.read(unit_name, world.p.id) == "Tỉnh Thử"
        clock.now += 0.2
        assert await router.read(unit_name, world.p.id) == "Bản sao"
        assert router.lag == 2.0
    finally:
        await router.dispose()


async def test_a_record_missing_on_the_replica_is_read_from_the_primary(world, configure, replica_url):
    configure(replica_url)
    router = Replica()
    try:
        assert await router.usable()
        assert await router.read(unit_name, world.c1.id) == "Xã Đông Hòa"  # not replicated yet
        with pytest.raises(NotFound):
            await router.read(unit_name, uuid.uuid4())  # nowhere
    finally:
        await router.dispose()


async def test_a_replica_failing_mid_read_sends_the_read_to_the_primary(
    world, configure, replica_url, copy_on_replica
):
    configure(replica_url)
    await copy_on_replica(world.p, "Bản sao")
    router = Replica()

    async def fragile(session: AsyncSession, unit_id: uuid.UUID) -> str:
        if session.bind is router.sessions().kw["bind"]:
            raise ConnectionResetError("the replica went away")
        return await unit_name(session, unit_id)

    try:
        assert await router.usable()
        assert await router.read(fragile, world.p.id) == "Tỉnh Thử"
        assert not await router.usable()  # left alone until the next check
    finally:
        await router.dispose()


async def test_replay_lag_of_a_database_that_is_no_replica_is_zero(session):
    assert await replay_lag(session) == 0.0


async def test_kpi_route_reads_the_replica(world, client, configure, replica_url, copy_on_replica):
    configure(replica_url)
    await copy_on_replica(world.p, "Bản sao")
    url = f"/api/v1/kpi?unit_id={world.p.id}&period=2026"
    response = await client.get(url, headers=world.auth(Role.admin))
    assert response.status_code == 200, response.text
    assert response.json()["unit_name"] == "Bản sao"
    configure(UNREACHABLE)
    await replica_module.replica.dispose()
    response = await client.get(url, headers=world.auth(Role.admin))
    assert response.status_code == 200, response.text
    assert response.json()["unit_name"] == "Tỉnh Thử"
