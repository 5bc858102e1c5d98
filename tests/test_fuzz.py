"""Schemathesis against the app's own OpenAPI document: every operation, with generated valid and
invalid requests, as an admin and as a team leader. No answer may be a 5xx, and every answer must
match what the document says about it (its status code's schema).

Schemathesis generates the cases (hypothesis, no I/O); they are sent through the same in-process
`httpx` client as every other test, on the test's own connection and event loop (on PostgreSQL
too), each in a savepoint rolled back after it, so every case meets the same records. Half of the
cases get real ids in their path and body references (records of village v11), so the fuzzing
reaches past "404, not found" into the writes.

`FUZZ_EXAMPLES` (per operation and caller, default 6) and `FUZZ_SEED` make a longer or another
run: `make fuzz`.
"""

import contextlib
import copy
import os
import random
from datetime import UTC, date, datetime

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.authz.permissions import Role
from app.core.config import get_settings
from app.models import KpiSnapshot, Target
from app.models.award import Initiative
from app.models.learning import LearningMaterial
from tests.roster import make_member, make_team, make_training
from tests.test_campaigns import make_activity, make_campaign, make_event
from tests.world import make_api_key, make_award, make_household

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "6"))
SEED = int(os.environ.get("FUZZ_SEED", "20261010"))
# No 5xx; the body matches the schema of its status; the status and the content type are documented.
CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance, content_type_conformance]
AUTH_HEADERS = {"authorization", "x-api-key"}


@pytest.fixture
def unlimited(monkeypatch):
    """Thousands of requests per caller: the rate limits (tested on their own) stay out of the way."""
    for name in ("rate_limit_per_minute", "rate_limit_anonymous_per_minute"):
        monkeypatch.setattr(get_settings(), name, 0, raising=False)


def generate(operation, examples: int) -> list:
    """Up to `examples` cases of the operation, half valid and half invalid (when it has anything
    to get wrong): generated only, nothing is sent."""
    cases = []
    for mode, count in (
        (GenerationMode.POSITIVE, (examples + 1) // 2),
        (GenerationMode.NEGATIVE, examples // 2),
    ):
        found: list = []

        @hypothesis_seed(SEED)
        @settings(
            max_examples=count,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(operation.as_strategy(mode))
        def collect(case):
            found.append(case)  # noqa: B023 - run at once, in this iteration

        with contextlib.suppress(Unsatisfiable):  # nothing in this operation can be made invalid
            collect()
        cases += found[:count]
    return cases


def with_real_ids(case, ids: dict[str, str], rng: random.Random) -> None:
    """Point the case at records that exist: path parameters and body references by their name."""
    if case.path_parameters:
        case.path_parameters = {k: ids.get(k, v) for k, v in case.path_parameters.items()}
    if isinstance(case.body, dict):
        body = dict(case.body)
        for name in ("unit_id", "team_id", "member_id", "household_id", "campaign_id", "event_id"):
            if name in body and rng.random() < 0.8:
                body[name] = ids[name]
        if isinstance(body.get("member_ids"), list):
            body["member_ids"] = [ids["member_id"]]
        case.body = body
    if case.query and "unit_id" in case.query:
        case.query = {**case.query, "unit_id": ids["unit_id"]}
    if case.headers and "If-Match" in case.headers and rng.random() < 0.7:
        case.headers = {k: v for k, v in case.headers.items() if k != "If-Match"}


async def send(client, case, auth: dict[str, str]):
    """The request schemathesis would send (as `requests` prepares it), through the test's client."""
    kwargs = case.as_transport_kwargs(base_url="http://test")
    headers = {k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() not in AUTH_HEADERS}
    prepared = requests.Request(
        method=kwargs["method"],
        url=kwargs["url"],
        headers=headers | auth,
        params=kwargs.get("params"),
        data=kwargs.get("data"),
        json=kwargs.get("json"),
        files=kwargs.get("files"),
    ).prepare()
    body = prepared.body.encode() if isinstance(prepared.body, str) else prepared.body
    return await client.request(prepared.method, prepared.url, content=body, headers=dict(prepared.headers))


async def _records(session, world) -> dict[str, str]:
    team = await make_team(session, world.v11, "Tổ thử nghiệm")
    member = await make_member(session, team, "Thành viên thử nghiệm")
    campaign = await make_campaign(session, world.v11)
    target = Target(unit_id=world.v11.id, year=2026, indicator="households_informed_pct", value=100)
    snapshot = KpiSnapshot(
        unit_id=world.v11.id,
        period="2026-01",
        indicators=[],
        frozen_at=datetime.now(UTC),
        due_on=date(2026, 1, 29),
    )
    initiative = Initiative(unit_id=world.c1.id, title="Mô hình thử nghiệm", description="Cách làm hiệu quả")
    material = LearningMaterial(
        unit_id=world.c1.id,
        kind="document",
        title="Hướng dẫn thử nghiệm",
        url="https://binhdanhocvuso.gov.vn/",
    )
    session.add_all([target, snapshot, initiative, material])
    ids = {
        "unit_id": world.v11.id,
        "user_id": world.users[Role.team_member].id,
        "household_id": (await make_household(session, world.v11, "Hộ thử nghiệm")).id,
        "team_id": team.id,
        "member_id": member.id,
        "training_id": (await make_training(session, world.v11, members=[member])).id,
        "campaign_id": campaign.id,
        "event_id": (await make_event(session, campaign, world.v11)).id,
        "activity_id": (await make_activity(session, world.v11)).id,
        "key_id": (await make_api_key(session, world.v11))[0].id,
        "award_id": (await make_award(session, world.c1)).id,
        "target_id": target.id,
        "snapshot_id": snapshot.id,
        "initiative_id": initiative.id,
        "material_id": material.id,
    }
    await session.commit()
    return {k: str(v) for k, v in ids.items()}


@pytest.mark.usefixtures("unlimited")
@pytest.mark.parametrize("role", [Role.admin, Role.team_leader])
async def test_fuzz_every_operation(app, client, world, session, connection, role):
    schema = schemathesis.openapi.from_dict(copy.deepcopy(app.openapi()))  # it may annotate the document
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 70
    ids = await _records(session, world)
    rng = random.Random(SEED)
    auth = world.auth(role)
    sent, failures = 0, {}
    for operation in operations:
        for number, case in enumerate(generate(operation, EXAMPLES)):
            if number % 2 == 0:
                with_real_ids(case, ids, rng)
            savepoint = await connection.begin_nested()  # every case meets the same records
            try:
                response = await send(client, case, auth)
            finally:
                await savepoint.rollback()
            sent += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except FailureGroup as group:
                for failure in group.exceptions:
                    key = (operation.label, failure.title, response.status_code)
                    request = response.request
                    failures.setdefault(
                        key,
                        f"{key}: {failure.message[:300]}\n  "
                        f"{request.method} {request.url} {request.content[:400]!r}",
                    )
    assert sent >= len(operations) * 2
    assert not failures, f"FUZZ_SEED={SEED}\n" + "\n".join(failures.values())


@pytest.mark.usefixtures("unlimited")
async def test_null_for_any_field_of_any_patch_is_200_or_422(app, client, world, session, connection):
    """What fuzzing found once (a null count was a 500, a null flag a 409), for every field of every
    PATCH body: a field that may not be null is 422, never a conflict or a crash."""
    ids = await _records(session, world)
    schema = app.openapi()
    problems = []
    for template, item in schema["paths"].items():
        if "patch" not in item:
            continue
        ref = item["patch"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        path = template.format(**ids)
        for name in schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]:
            savepoint = await connection.begin_nested()
            try:
                response = await client.patch(path, json={name: None}, headers=world.auth(Role.admin))
            finally:
                await savepoint.rollback()
            if response.status_code not in (200, 422):
                problems.append(
                    f"PATCH {template} {{{name!r}: null}}: {response.status_code} {response.text[:200]}"
                )
    assert problems == []


async def test_a_body_that_is_not_utf8_is_a_422_problem(client, world):
    """Found by fuzzing: FastAPI answers 400 to a JSON body it cannot decode; a bad body is 422."""
    response = await client.post(
        "/api/v1/households",
        content=b'{"head_name": "\xab("}',
        headers=world.auth(Role.admin) | {"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"loc": ["body"], "msg": "There was an error parsing the body", "code": "malformed"}
    ]
