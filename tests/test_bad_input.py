"""Bad input gets a clear 4xx problem+json and changes nothing; none is a 500, on PostgreSQL too."""

import pytest

from app.authz.permissions import Role

LONG = "x" * 5000


def unit_body(world, **overrides):
    return {"code": "B-1", "name": "Thôn B", "level": "village", "parent_id": str(world.c1.id)} | overrides


CASES = [
    ("post", "/api/v1/units", lambda w: {"json": unit_body(w, name=LONG)}, 422),
    ("post", "/api/v1/units", lambda w: {"json": unit_body(w, name="Thôn\x00B")}, 422),
    ("post", "/api/v1/units", lambda w: {"json": unit_body(w, code="B\x00")}, 422),
    ("post", "/api/v1/units", lambda w: {"json": unit_body(w, name="   ")}, 422),
    ("post", "/api/v1/units", lambda w: {"json": unit_body(w, parent_id="not-a-uuid")}, 422),
    ("post", "/api/v1/units", lambda w: {"json": unit_body(w, unknown_field=1)}, 422),
    ("post", "/api/v1/units", lambda w: {"json": unit_body(w, name=12345)}, 422),
    (
        "post",
        "/api/v1/units",
        lambda w: {"content": b"{not json", "headers": {"content-type": "application/json"}},
        422,
    ),
    (
        "post",
        "/api/v1/units",
        lambda w: {"content": b"name=x", "headers": {"content-type": "text/plain"}},
        422,
    ),
    ("post", "/api/v1/units", lambda w: {"json": [1, 2, 3]}, 422),
    (
        "post",
        "/api/v1/units",
        lambda w: {"content": b"\xff\xfe", "headers": {"content-type": "application/json"}},
        422,
    ),
    ("get", "/api/v1/units", lambda w: {"params": {"limit": 100000}}, 422),
    ("get", "/api/v1/units", lambda w: {"params": {"limit": 0}}, 422),
    ("get", "/api/v1/units", lambda w: {"params": {"offset": -1}}, 422),
    ("get", "/api/v1/units", lambda w: {"params": {"offset": 2**70}}, 422),
    ("get", "/api/v1/units", lambda w: {"params": {"q": "a\x00b"}}, 422),
    ("get", "/api/v1/units", lambda w: {"params": {"q": LONG}}, 422),
    ("get", "/api/v1/units", lambda w: {"params": {"level": "hamlet"}}, 422),
    ("get", "/api/v1/units", lambda w: {"params": {"parent_id": "123"}}, 422),
    ("get", "/api/v1/units/not-a-uuid", lambda w: {}, 422),
    ("get", "/api/v1/units/00000000-0000-0000-0000-000000000000", lambda w: {}, 404),
    ("get", "/api/v1/nowhere", lambda w: {}, 404),
    ("put", "/api/v1/units", lambda w: {"json": {}}, 405),
    (
        "patch",
        "/api/v1/units/{c1}",
        lambda w: {"json": {"name": "x"}, "headers": {"If-Match": "garbage"}},
        412,
    ),
    (
        "patch",
        "/api/v1/units/{c1}",
        lambda w: {"json": {"name": "x"}, "headers": {"If-Match": '"99999999999"'}},
        412,
    ),
    ("get", "/api/v1/audit", lambda w: {"params": {"since": "2026-13-45"}}, 422),
    ("get", "/api/v1/audit", lambda w: {"params": {"resource_id": "x\x00"}}, 422),
    ("get", "/api/v1/users", lambda w: {"params": {"role": "king"}}, 422),
    (
        "post",
        "/api/v1/users",
        lambda w: {"json": {"username": "ab\x00c", "full_name": "x", "password": "12345678"}},
        422,
    ),
    (
        "post",
        "/api/v1/users",
        lambda w: {"json": {"username": "abc", "full_name": "x", "password": "short"}},
        422,
    ),
    (
        "post",
        "/api/v1/users",
        lambda w: {"json": {"username": "abc", "full_name": "x", "password": "p" * 9, "phone": "call me"}},
        422,
    ),
    (
        "post",
        "/api/v1/users",
        lambda w: {
            "json": {
                "username": "abc",
                "full_name": "x",
                "password": "p" * 9,
                "roles": [{"role": "viewer", "unit_id": str(w.c1.id)}] * 21,
            }
        },
        422,
    ),
]


@pytest.mark.parametrize("method,path,kwargs,status", CASES, ids=[f"{i:02d}" for i in range(len(CASES))])
async def test_bad_input_is_a_clear_4xx(client, world, method, path, kwargs, status):
    options = kwargs(world)
    headers = world.auth(Role.admin) | options.pop("headers", {})
    url = path.format(c1=world.c1.id)
    response = await client.request(method.upper(), url, headers=headers, **options)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.text and "SELECT" not in response.text
    if status == 422 and method != "get":
        assert body["errors"], body
    units = await client.get("/api/v1/units", params={"limit": 500}, headers=world.auth(Role.admin))
    assert units.json()["total"] == 9  # nothing was written


@pytest.mark.parametrize("username", ["a\x00b", "x" * 500, "ADMIN\x00"])
async def test_malformed_sign_in_is_401_not_500(client, world, username):
    response = await client.post("/api/v1/auth/token", data={"username": username, "password": "p\x00"})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_sign_in_without_form_fields_is_422(client, world):
    response = await client.post("/api/v1/auth/token", data={})
    assert response.status_code == 422
