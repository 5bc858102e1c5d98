"""Issue 21, item 5: loose values. A day or a moment something happened is not in the future (beyond
the phone's clock skew); consent is a day and who collected it, both or neither; a yes-or-no in a JSON
body is `true` or `false`, never "no", 0 or "off"."""

import io
from datetime import UTC, datetime, timedelta
from typing import Annotated, get_args

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy import func, select

from app.authz.permissions import Role
from app.core.fields import CLOCK_SKEW, VIETNAM
from app.models import ApiKey, Household, User
from tests.roster import make_team
from tests.world import make_household

HOUSEHOLDS = "/api/v1/households"


def _flatten(annotation) -> list:
    args = get_args(annotation)
    return [annotation] if not args else [a for arg in args for a in _flatten(arg)]


def request_bool_fields(app) -> list[tuple[str, str, TypeAdapter]]:
    """(operation, field, validator) for every boolean field of every request body."""
    found, seen = [], set()

    def walk(operation: str, model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.add(model)
        for name, info in model.model_fields.items():
            annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
            adapter = TypeAdapter(annotation)
            if '"boolean"' in str(adapter.json_schema()).replace("'", '"'):
                found.append((operation, name, adapter))
            for arg in _flatten(info.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    walk(operation, arg)

    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            for param in route.dependant.body_params:
                for arg in _flatten(param.field_info.annotation):
                    if isinstance(arg, type) and issubclass(arg, BaseModel):
                        walk(route.name, arg)
    return found


def test_every_boolean_of_every_request_takes_only_true_and_false(app):
    fields = request_bool_fields(app)
    names = {(op, name) for op, name, _ in fields}
    for expected in [
        ("create_api_key", "read_only"),
        ("create_household", "informed"),
        ("create_user", "is_active"),
    ]:
        assert expected in names, expected
    accepted = []
    for operation, name, adapter in fields:
        assert adapter.validate_python(True) is True and adapter.validate_python(False) is False
        for value in ("no", "yes", "false", "true", "off", 0, 1, "0", 0.0):
            try:
                adapter.validate_python(value)
            except ValidationError:
                continue
            accepted.append(f"{operation}.{name} accepts {value!r}")
    assert accepted == []


async def test_a_read_only_no_makes_no_key(client, world, session):
    body = {"name": "Hệ thống", "unit_id": str(world.c1.id), "read_only": "no"}
    response = await client.post("/api/v1/api-keys", json=body, headers=world.auth(Role.admin))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "read_only"]
    assert await session.scalar(select(func.count()).select_from(ApiKey)) == 0


async def test_is_active_and_household_flags_take_only_booleans(client, world, session):
    user = {"username": "mai.tran", "full_name": "Trần Mai", "password": "a-long-password", "is_active": "no"}
    response = await client.post("/api/v1/users", json=user, headers=world.auth(Role.admin))
    assert response.status_code == 422
    assert (
        await session.scalar(select(func.count()).select_from(User).where(User.username == "mai.tran")) == 0
    )
    for value in ("yes", 1, "true"):
        body = {"unit_id": str(world.v11.id), "head_name": "Lê Văn Tám", "informed": value}
        response = await client.post(HOUSEHOLDS, json=body, headers=world.auth(Role.team_leader))
        assert response.status_code == 422, value


def _future_days():
    today = datetime.now(VIETNAM).date()
    return [today + timedelta(days=1), today.replace(year=2099)]


async def test_consent_and_a_visit_are_not_in_the_future(client, world, session):
    headers = world.auth(Role.team_leader)
    household = await make_household(session, world.v11, "Phạm Văn Hai")
    await session.commit()
    base = {"unit_id": str(world.v11.id), "head_name": "Lê Văn Tám"}
    for day in _future_days():
        consent = {"consent_on": day.isoformat(), "consent_by": "Tổ trưởng"}
        created = await client.post(HOUSEHOLDS, json=base | consent, headers=headers)
        assert (created.status_code, created.json()["errors"][0]["loc"]) == (422, ["body", "consent_on"])
        updated = await client.patch(f"{HOUSEHOLDS}/{household.id}", json=consent, headers=headers)
        assert updated.status_code == 422
    for moment in (datetime(2100, 1, 1, tzinfo=UTC), datetime.now(UTC) + CLOCK_SKEW + timedelta(minutes=5)):
        visit = {"last_visit_at": moment.isoformat()}
        created = await client.post(HOUSEHOLDS, json=base | visit, headers=headers)
        assert (created.status_code, created.json()["errors"][0]["loc"]) == (422, ["body", "last_visit_at"])
        updated = await client.patch(f"{HOUSEHOLDS}/{household.id}", json=visit, headers=headers)
        assert updated.status_code == 422
    # Within the clock skew, and today: taken.
    fine = {
        "last_visit_at": (datetime.now(UTC) + timedelta(minutes=1)).isoformat(),
        "consent_on": datetime.now(VIETNAM).date().isoformat(),
        "consent_by": "Tổ trưởng",
    }
    assert (await client.post(HOUSEHOLDS, json=base | fine, headers=headers)).status_code == 201
    assert await session.scalar(select(func.count()).select_from(Household)) == 2


@pytest.mark.parametrize(
    "consent,field",
    [({"consent_by": "Tổ trưởng"}, "consent_on"), ({"consent_on": "2026-03-01"}, "consent_by")],
)
async def test_consent_needs_the_day_and_who_collected_it(client, world, session, consent, field):
    headers = world.auth(Role.team_leader)
    body = {"unit_id": str(world.v11.id), "head_name": "Lê Văn Tám"} | consent
    response = await client.post(HOUSEHOLDS, json=body, headers=headers)
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "household.consent_incomplete"
    assert problem["errors"][0]["loc"] == ["body", field]
    # On a visit, the merged record: setting one of the two alone is refused, both are taken, and
    # withdrawing consent clears both.
    household = await make_household(session, world.v11, "Phạm Văn Hai")
    await session.commit()
    url = f"{HOUSEHOLDS}/{household.id}"
    assert (await client.patch(url, json=consent, headers=headers)).status_code == 422
    both = {"consent_on": "2026-03-01", "consent_by": "Tổ trưởng"}
    assert (await client.patch(url, json=both, headers=headers)).status_code == 200
    assert (await client.patch(url, json={"consent_on": None}, headers=headers)).status_code == 422
    cleared = await client.patch(url, json={"consent_on": None, "consent_by": None}, headers=headers)
    assert cleared.status_code == 200


async def test_the_import_refuses_loose_consent_and_future_dates(client, world):
    rows = (
        "Họ tên chủ hộ,Ngày đồng ý,Người lấy ý kiến\n"
        "Lê Văn Tám,,Tổ trưởng\n"
        "Lê Văn Chín,2099-01-01,Tổ trưởng\n"
        "Lê Văn Mười,2026-03-01,Tổ trưởng\n"
    )
    files = {"file": ("ds.csv", io.BytesIO(rows.encode()), "text/csv")}
    response = await client.post(
        f"{HOUSEHOLDS}/import",
        params={"unit_id": str(world.v11.id), "dry_run": "true"},
        files=files,
        headers=world.auth(Role.team_leader),
    )
    report = response.json()  # a dry run reports every bad row
    assert report["rows_invalid"] == 2, report
    errors = {(e["line"], e["field"]) for e in report["errors"]}
    assert errors == {(2, "consent_on"), (3, "consent_on")}


async def test_a_member_joins_and_a_team_is_founded_on_a_day_that_has_come(client, world, session):
    team = await make_team(session, world.v11, "Tổ Đình")
    await session.commit()
    headers = world.auth(Role.admin)
    for day in _future_days():
        member = {"team_id": str(team.id), "full_name": "Trần Thị Mai", "joined_on": day.isoformat()}
        response = await client.post("/api/v1/members", json=member, headers=headers)
        assert (response.status_code, response.json()["errors"][0]["loc"]) == (422, ["body", "joined_on"])
        founded = {"unit_id": str(world.v12.id), "name": "Tổ Chùa", "decision_date": day.isoformat()}
        response = await client.post("/api/v1/teams", json=founded, headers=headers)
        assert (response.status_code, response.json()["errors"][0]["loc"]) == (422, ["body", "decision_date"])
    # A member may still leave on a day to come.
    leaving = {"team_id": str(team.id), "full_name": "Trần Thị Mai", "left_on": _future_days()[0].isoformat()}
    assert (await client.post("/api/v1/members", json=leaving, headers=headers)).status_code == 201
