"""Issue 21, item 6: status codes by the contract of API.md. A unit a request body names outside the
caller's area does not exist for the caller: 404 (code `unit.unknown`), exactly as for an id that
exists nowhere, on every route that takes a unit in its body; and a search text that is not UTF-8 is a
bad request (422), not an empty page."""

import uuid
from datetime import UTC, datetime
from typing import get_args

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from app.authz.permissions import Role
from app.kpi.periods import VIETNAM
from tests.world import make_household

OFFICER = Role.commune_officer  # at c1: manages everything the routes below do, inside c1 only
UNIT_FIELDS = ("unit_id", "parent_id", "into_id")


def _flatten(annotation) -> list:
    args = get_args(annotation)
    return [annotation] if not args else [a for arg in args for a in _flatten(arg)]


def _names_a_unit(model: type[BaseModel], seen=()) -> bool:
    for name, info in model.model_fields.items():
        if name in UNIT_FIELDS:
            return True
        for arg in _flatten(info.annotation):
            nested = isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in seen
            if nested and _names_a_unit(arg, (*seen, model)):
                return True
    return False


def routes_naming_a_unit(app) -> set[tuple[str, str]]:
    """(method, path) of every route whose body names a unit (a field `unit_id`, `parent_id` or
    `into_id`, at any depth): walked from the app, so a route added tomorrow is in the test."""
    found = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute):
            continue
        for param in route.dependant.body_params:
            for arg in _flatten(param.field_info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel) and _names_a_unit(arg):
                    found |= {(method, route.path.removeprefix("/api/v1")) for method in route.methods}
    return found


async def _create(client, headers, url, body) -> str:
    response = await client.post(f"/api/v1{url}", json=body, headers=headers)
    assert response.status_code in (200, 201), (url, response.text)
    return response.json()["id"]


async def test_every_route_naming_a_unit_outside_the_area_answers_404(app, client, world, session):
    headers = world.auth(OFFICER)
    today = datetime.now(VIETNAM).date().isoformat()
    now = datetime.now(UTC).isoformat()
    household = await make_household(session, world.v11, "Phạm Văn Hai")
    await session.commit()
    team = await _create(client, headers, "/teams", {"unit_id": str(world.v11.id), "name": "Tổ Đình"})
    training = await _create(
        client, headers, "/trainings", {"unit_id": str(world.v11.id), "title": "Tập huấn", "held_on": today}
    )
    campaign_body = {"unit_id": str(world.c1.id), "kind": "other", "name": "Chiến dịch"}
    campaign = await _create(
        client, headers, "/campaigns", campaign_body | {"starts_on": today, "ends_on": today}
    )
    event_body = {"unit_id": str(world.v11.id), "title": "Điểm hỗ trợ", "starts_at": now, "ends_at": now}
    event = await _create(client, headers, f"/campaigns/{campaign}/events", event_body)
    activity = await _create(
        client, headers, "/activities", {"unit_id": str(world.v11.id), "occurred_at": now, "kind": "other"}
    )
    routes = routes_naming_a_unit(app)
    material_body = {"kind": "document", "title": "Hướng dẫn", "url": "https://binhdanhocvuso.gov.vn/a"}
    material = None
    if ("POST", "/learning-materials") in routes:  # being built: in the table once it is routed
        material_body |= {"unit_id": str(world.c1.id)}
        material = await _create(client, headers, "/learning-materials", material_body)
    member_user = world.users[Role.team_member].id

    def unit(u):
        return {"unit_id": u}

    # (method, path as routed) -> (url, body naming the unit `u`)
    cases = {
        ("POST", "/units"): (
            "/units",
            lambda u: {"code": "NEW-X", "name": "Thôn X", "level": "village", "parent_id": u},
        ),
        ("POST", "/units/{unit_id}/move"): (
            f"/units/{world.v12.id}/move",
            lambda u: {"parent_id": u, "effective_on": today},
        ),
        ("POST", "/units/{unit_id}/merge"): (
            f"/units/{world.v12.id}/merge",
            lambda u: {"into_id": u, "effective_on": today},
        ),
        ("POST", "/users"): (
            "/users",
            lambda u: {
                "username": "mai.tran",
                "full_name": "Trần Mai",
                "password": "a-long-password",
                "roles": [{"role": "team_member", "unit_id": u}],
            },
        ),
        ("PATCH", "/users/{user_id}"): (
            f"/users/{member_user}",
            lambda u: {"roles": [{"role": "team_member", "unit_id": u}]},
        ),
        ("POST", "/households"): ("/households", lambda u: unit(u) | {"head_name": "Lê Văn Tám"}),
        ("PATCH", "/households/{household_id}"): (f"/households/{household.id}", unit),
        ("POST", "/teams"): ("/teams", lambda u: unit(u) | {"name": "Tổ Mới"}),
        ("PATCH", "/teams/{team_id}"): (f"/teams/{team}", unit),
        ("POST", "/trainings"): ("/trainings", lambda u: unit(u) | {"title": "Tập huấn", "held_on": today}),
        ("PATCH", "/trainings/{training_id}"): (f"/trainings/{training}", unit),
        ("POST", "/targets"): (
            "/targets",
            lambda u: unit(u) | {"year": 2026, "indicator": "households_informed_pct", "value": 100},
        ),
        ("POST", "/kpi/snapshots"): ("/kpi/snapshots", lambda u: unit(u) | {"period": "2026-06"}),
        ("POST", "/awards"): (
            "/awards",
            lambda u: (
                unit(u)
                | {
                    "title": "Khen thưởng",
                    "period": "2026",
                    "cutoff_on": "2026-12-31",
                    "weights": {"households_informed_pct": 1},
                }
            ),
        ),
        ("POST", "/campaigns"): (
            "/campaigns",
            lambda u: campaign_body | unit(u) | {"starts_on": today, "ends_on": today},
        ),
        ("PATCH", "/campaigns/{campaign_id}"): (f"/campaigns/{campaign}", unit),
        ("POST", "/campaigns/{campaign_id}/events"): (
            f"/campaigns/{campaign}/events",
            lambda u: event_body | unit(u),
        ),
        ("PATCH", "/campaigns/{campaign_id}/events/{event_id}"): (
            f"/campaigns/{campaign}/events/{event}",
            unit,
        ),
        ("POST", "/activities"): ("/activities", lambda u: unit(u) | {"occurred_at": now, "kind": "other"}),
        ("PATCH", "/activities/{activity_id}"): (f"/activities/{activity}", unit),
        ("POST", "/learning-materials"): ("/learning-materials", lambda u: material_body | unit(u)),
        ("PATCH", "/learning-materials/{material_id}"): (f"/learning-materials/{material}", unit),
        ("POST", "/api-keys"): ("/api-keys", lambda u: unit(u) | {"name": "Hệ thống"}),
        ("POST", "/initiatives"): (
            "/initiatives",
            lambda u: unit(u) | {"title": "Chợ số", "description": "Mô hình chợ số ở thôn"},
        ),
    }
    assert routes - set(cases) == set()  # every route that names a unit is in the table
    cases = {route: case for route, case in cases.items() if route in routes}
    wrong = []
    for (method, _), (url, body) in cases.items():
        answers = []
        for outside in (world.v31.id, world.c3.id, uuid.uuid4()):  # elsewhere, and nowhere: the same answer
            response = await client.request(method, f"/api/v1{url}", json=body(str(outside)), headers=headers)
            answers.append((response.status_code, response.json().get("code")))
        # 404, the same whether the unit is elsewhere or nowhere; `unit.unknown` where a body's field
        # names it (a report's unit is the record the route reads: its 404 is the plain one).
        if len(set(answers)) != 1 or answers[0] not in {(404, "unit.unknown"), (404, "not_found")}:
            wrong.append((method, url, answers))
    assert wrong == [], "\n".join(map(str, wrong))


@pytest.mark.parametrize("url", ["/api/v1/households", "/api/v1/units", "/api/v1/users"])
async def test_a_search_text_that_is_not_utf8_is_422(client, world, url):
    response = await client.get(f"{url}?q=%C3%28%FF", headers=world.auth(Role.admin))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"][:2] == ["query", "q"]
    fine = await client.get(f"{url}?q=%C4%90%C3%ACnh", headers=world.auth(Role.admin))  # "Đình"
    assert fine.status_code == 200
