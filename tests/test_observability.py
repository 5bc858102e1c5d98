"""Observability: /metrics by route template, X-Request-ID, JSON access logs without personal data."""

import json
import logging
import uuid

import httpx
from prometheus_client import REGISTRY

from api.observability import ObservabilityMiddleware, route_template
from app.authz.permissions import Role
from app.core.logs import FIELDS, JsonFormatter, TextFormatter
from tests.world import make_household

PHONE = "0912345678"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_count_requests_by_route_template(client, world, session):
    home = await make_household(session, world.v11, phone=PHONE)
    await session.commit()
    headers = world.auth(Role.commune_officer)
    route = "/api/v1/households/{household_id}"
    before = sample("http_requests_total", method="GET", route=route, status="200")
    assert (await client.get(f"/api/v1/households/{home.id}", headers=headers)).status_code == 200
    assert (await client.get("/api/v1/households", params={"q": PHONE}, headers=headers)).status_code == 200
    assert (await client.get(f"/api/v1/households/{uuid.uuid4()}", headers=headers)).status_code == 404
    assert (await client.get("/api/v1/no-such-thing", headers=headers)).status_code == 404
    assert sample("http_requests_total", method="GET", route=route, status="200") == before + 1

    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert f'http_requests_total{{method="GET",route="{route}",status="200"}}' in text
    assert f'http_requests_total{{method="GET",route="{route}",status="404"}}' in text
    assert 'route="/api/v1/households",status="200"' in text
    assert 'route="unmatched",status="404"' in text
    assert f'http_request_duration_seconds_bucket{{le="0.005",method="GET",route="{route}"}}' in text
    for name in (
        "db_pool_size",
        "db_pool_checked_out",
        "idempotent_replays_total",
        "client_id_replays_total",
        "households_imported_total",
        "database_unavailable_total",
    ):
        assert f"\n{name} " in text or f"\n{name}{{" in text, name
    assert str(home.id) not in text and PHONE not in text  # no raw paths, no query strings


async def test_replays_and_imports_are_counted(client, world):
    headers = world.auth(Role.team_leader) | {"Idempotency-Key": "count-me"}
    body = {"unit_id": str(world.v11.id), "head_name": "Đỗ Văn Ba", "members_count": 1, "adults_count": 1}
    replays = sample("idempotent_replays_total")
    assert (await client.post("/api/v1/households", json=body, headers=headers)).status_code == 201
    assert (await client.post("/api/v1/households", json=body, headers=headers)).status_code == 201
    assert sample("idempotent_replays_total") == replays + 1

    imported = sample("households_imported_total")
    csv = "Mã hộ,Họ tên chủ hộ,Số nhân khẩu,Số người trưởng thành\nM1,Trần Thị Hoa,3,2\nM2,Lê Văn Nam,2,2\n"
    response = await client.post(
        "/api/v1/households/import",
        params={"unit_id": str(world.v11.id)},
        files={"file": ("list.csv", csv.encode(), "text/csv")},
        headers=world.auth(Role.team_leader),
    )
    assert response.status_code == 201, response.text
    assert sample("households_imported_total") == imported + 2


async def test_request_id_is_echoed_when_sane_and_generated_otherwise(client):
    sent = "phone-42.sync_7"
    assert (await client.get("/healthz", headers={"X-Request-ID": sent})).headers["x-request-id"] == sent
    for bad in ("has space", "x" * 65, "semi;colon", ""):
        got = (await client.get("/healthz", headers={"X-Request-ID": bad})).headers["x-request-id"]
        assert got != bad and len(got) == 32 and int(got, 16) >= 0
    first = (await client.get("/healthz")).headers["x-request-id"]
    second = (await client.get("/healthz")).headers["x-request-id"]
    assert first != second
    # Errors carry it too.
    missing = await client.get("/api/v1/units", headers={"X-Request-ID": "abc"})
    assert missing.status_code == 401 and missing.headers["x-request-id"] == "abc"


async def test_access_log_is_json_without_personal_data(client, world, caplog):
    caplog.set_level(logging.INFO)
    headers = world.auth(Role.commune_officer) | {"X-Request-ID": "trace-1"}
    await client.get("/api/v1/households", params={"q": PHONE}, headers=headers)
    await client.post("/api/v1/auth/token", data={"username": "secret.person", "password": "hunter2-secret"})
    records = [r for r in caplog.records if not r.name.startswith("httpx")]  # the test's own client
    lines = [JsonFormatter().format(r) for r in records]
    entries = [json.loads(line) for line in lines]
    access = [e for e in entries if e["logger"] == "api.access"]
    assert len(access) == 2
    search = access[0]
    assert {"time", "level", "logger", "message", "request_id", *FIELDS} - {"client"} <= search.keys()
    assert search["request_id"] == "trace-1"
    assert (search["method"], search["route"], search["status"]) == ("GET", "/api/v1/households", 200)
    assert isinstance(search["duration_ms"], float) and search["duration_ms"] >= 0
    assert search["level"] == "INFO" and search["time"].endswith("+00:00")
    sign_in = access[1]
    assert (sign_in["route"], sign_in["status"]) == ("/api/v1/auth/token", 401)
    assert len(sign_in["request_id"]) == 32
    everything = "\n".join(lines) + "\n".join(TextFormatter().format(r) for r in records)
    for secret in (PHONE, "secret.person", "hunter2-secret", "q="):
        assert secret not in everything


def test_route_template_of_unmatched_and_prefixed_routes():
    assert route_template({"path": "/x"}) == "unmatched"

    class Route:
        path_format = "/households/{household_id}"

    scope = {"route": Route(), "path": "/api/v1/households/abc", "path_params": {"household_id": "abc"}}
    assert route_template(scope) == "/api/v1/households/{household_id}"


async def test_metrics_can_ask_for_a_token():
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    wrapped = ObservabilityMiddleware(app, metrics_token="s3cret-token")
    transport = httpx.ASGITransport(app=wrapped)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        refused = await client.get("/metrics")
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        allowed = await client.get("/metrics", headers={"Authorization": "Bearer s3cret-token"})
        assert allowed.status_code == 200 and "http_requests_total" in allowed.text
        assert (await client.get("/other")).status_code == 204
