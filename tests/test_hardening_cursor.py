"""Issue 10, item 7: a forged change-feed cursor is a 422, and any value the database or its driver
finds out of range or malformed, from any parameter, is a 422 too: never a 500."""

import base64
import uuid
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI

from api import errors
from app.authz.permissions import Role
from app.core.db import db
from app.core.feed import encode_cursor
from app.models.base import UTCDateTime

FEEDS = ["/api/v1/households", "/api/v1/members", "/api/v1/teams", "/api/v1/activities"]


def forged(moment: str) -> str:
    return base64.urlsafe_b64encode(f"{moment}|{uuid.uuid4()}".encode()).decode().rstrip("=")


@pytest.mark.parametrize("feed", FEEDS)
@pytest.mark.parametrize(
    "cursor",
    [
        forged("0001-01-01T00:00:00+00:00"),
        forged("0001-01-01T00:00:00+07:00"),
        forged("9999-12-31T23:59:59-05:00"),
        forged("9999-12-31T23:59:59+00:00"),
        forged("2026-01-01T00:00:00"),  # naive: the server never gives one out
        forged("1899-12-31T23:59:59+00:00"),
        "not-base64-%%%",
        base64.urlsafe_b64encode(b"\xff\xfe|x").decode(),
    ],
    ids=["year1", "year1+7", "year9999-5", "year9999", "naive", "1899", "garbage", "binary"],
)
async def test_a_forged_cursor_is_422(client, world, feed, cursor):
    response = await client.get(feed, params={"cursor": cursor}, headers=world.auth(Role.admin))
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {
            "loc": ["query", "cursor"],
            "msg": "The cursor is not one this server gave out",
            "code": "validation",
        }
    ]


async def test_a_cursor_the_server_gave_out_still_works(client, world):
    cursor = encode_cursor(datetime(2026, 1, 1, tzinfo=UTC), uuid.uuid4())
    response = await client.get(FEEDS[0], params={"cursor": cursor}, headers=world.auth(Role.admin))
    assert response.status_code == 200
    assert response.json()["items"] == []


# What the database or its driver refuses, as each of them refuses it.
STATEMENTS = {
    "int64 overflow": lambda: sa.select(sa.bindparam("v", 2**70, type_=sa.BigInteger)),
    "datetime overflow": lambda: sa.select(
        sa.bindparam("v", datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5))), type_=UTCDateTime)
    ),
    "numeric out of range": lambda: sa.select(sa.cast(sa.literal("99999999999"), sa.Integer)),
    "invalid text representation": lambda: sa.select(sa.cast(sa.literal("abc"), sa.Integer)),
    "date out of range": lambda: sa.select(sa.cast(sa.literal("2026-13-45"), sa.Date)),
}


LAX_ON_SQLITE = ("numeric out of range", "date out of range", "invalid text representation")


@pytest.fixture
async def raising(connection):
    """A throwaway app with the API's error handlers, whose one route runs a given statement."""
    app = FastAPI()
    errors.install(app)

    @app.get("/run/{name}")
    async def run(name: str):
        async with db.sessions() as session:
            await session.execute(STATEMENTS[name]())
        return {"ran": name}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


@pytest.mark.parametrize("name", list(STATEMENTS))
async def test_a_value_the_database_refuses_is_422_not_500(raising, database, name):
    response = await raising.get(f"/run/{name}")
    if response.status_code == 200:  # SQLite is lax about casts and lengths: nothing to refuse
        assert database == "sqlite" and name in LAX_ON_SQLITE
        return
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "SELECT" not in response.text and "99999999999" not in response.text
