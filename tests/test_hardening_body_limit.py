"""Issue 10, item 5: request bodies are bounded per kind of route (JSON bodies, the import upload),
from `Content-Length` before anything is read and while streaming (chunked bodies too), with a 413
problem+json that comes before authentication."""

import pytest

from app.authz.permissions import Role
from app.core.config import get_settings

KIB = 1024


@pytest.fixture
def small_limits(monkeypatch):
    """JSON bodies up to 4 KiB, uploads up to 64 KiB: the same rules, at test sizes."""
    monkeypatch.setattr(get_settings(), "max_body_bytes", 4 * KIB, raising=False)
    monkeypatch.setattr(get_settings(), "max_upload_bytes", 64 * KIB, raising=False)


def assert_too_large(response) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 413 and body["title"] == "Content too large"


class Chunks:
    """A chunked body (no Content-Length) that counts how much of it the server asked for."""

    def __init__(self, chunk: bytes, count: int) -> None:
        self.chunk, self.count, self.sent = chunk, count, 0

    async def __aiter__(self):
        for _ in range(self.count):
            self.sent += 1
            yield self.chunk


def test_the_defaults():
    settings = get_settings()
    assert settings.max_body_bytes == 1024 * 1024
    assert settings.max_upload_bytes == 20 * 1024 * 1024


async def test_a_declared_length_over_the_limit_is_refused_before_authentication(client, world, small_limits):
    body = b"{" + b" " * (8 * KIB) + b"}"
    response = await client.post(
        "/api/v1/households", content=body, headers={"Content-Type": "application/json"}
    )
    assert_too_large(response)  # not 401: nothing was read, nobody was looked up


async def test_a_chunked_body_is_cut_off_at_the_limit(client, world, small_limits):
    chunks = Chunks(b" " * KIB, 1000)
    response = await client.post(
        "/api/v1/households",
        content=chunks,
        headers=world.auth(Role.team_leader) | {"Content-Type": "application/json"},
    )
    assert_too_large(response)
    assert chunks.sent <= 6  # read up to the limit, not the megabyte behind it


async def test_a_chunked_body_with_an_idempotency_key_is_cut_off_too(client, world, small_limits):
    chunks = Chunks(b" " * KIB, 1000)
    headers = world.auth(Role.team_leader) | {"Content-Type": "application/json", "Idempotency-Key": "big-1"}
    assert_too_large(await client.post("/api/v1/households", content=chunks, headers=headers))
    assert chunks.sent <= 6


async def test_sign_in_is_bounded_too(client, world, small_limits):
    response = await client.post("/api/v1/auth/token", data={"username": "x" * (8 * KIB), "password": "p"})
    assert_too_large(response)


async def test_the_import_upload_has_its_own_larger_limit(client, world, small_limits):
    rows = "".join(f"M{i},Hộ số {i},2,2\n" for i in range(400))
    csv = ("Mã hộ,Họ tên chủ hộ,Số nhân khẩu,Số người trưởng thành\n" + rows).encode()
    assert 4 * KIB < len(csv) < 64 * KIB  # over the JSON limit, under the upload limit
    url = "/api/v1/households/import"
    params = {"unit_id": str(world.v11.id), "dry_run": "true"}
    accepted = await client.post(
        url,
        params=params,
        files={"file": ("list.csv", csv, "text/csv")},
        headers=world.auth(Role.team_leader),
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["imported"] == 0  # a dry run
    too_big = await client.post(
        url,
        params=params,
        files={"file": ("list.csv", csv * 20, "text/csv")},
        headers=world.auth(Role.team_leader),
    )
    assert_too_large(too_big)


async def test_a_body_within_the_limit_is_served(client, world, small_limits):
    body = {"unit_id": str(world.v11.id), "head_name": "Võ Thị Sáu", "members_count": 1, "adults_count": 1}
    response = await client.post("/api/v1/households", json=body, headers=world.auth(Role.team_leader))
    assert response.status_code == 201
