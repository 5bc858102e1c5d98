"""Reads do not take SQLite's write lock (issue 10, item 1): while a writer holds it, lists and reads
are answered at once. Before, every transaction began IMMEDIATE, reads included, and a read waited up
to busy_timeout (30 s) behind any writer, then failed with 503."""

import asyncio

import pytest

from tests.test_household_import_budgets import live  # noqa: F401 - the committed village and leader


async def test_reads_go_on_while_a_writer_holds_the_lock(app, engine, live):  # noqa: F811
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL readers never wait for writers")
    import httpx

    async with engine.connect() as writer:
        await writer.begin()  # BEGIN IMMEDIATE: the write lock, held until the end of the block
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://test"
        ) as client:
            for url in ("/api/v1/households", "/api/v1/teams", f"/api/v1/units/{live.village.id}"):
                response = await asyncio.wait_for(
                    client.get(url, params={"unit_id": str(live.village.id)}, headers=live.headers), 5
                )
                assert response.status_code == 200, (url, response.text)
        await writer.rollback()
