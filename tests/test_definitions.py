"""Definitions as the plans give them (issue 19, point 8): `has_digital_member` is seed 000's "at least
one member with digital skills, a VNeID account and a DVC account", so a household whose counts hold no
adult with skills, none with VNeID or none with a DVC account cannot have one. The API and the importer
refuse it (app/households/rules.py), and migration 0017 reconciles the rows stored before the rule."""

import io

from app.authz.permissions import Role
from tests.test_household_import_checks import admin

DIGITAL = {"adults_digital_skills": 1, "adults_vneid": 2, "adults_dvc": 1, "has_digital_member": True}
CODE = "household.digital_member_impossible"


def body(world, **overrides):
    return {
        "unit_id": str(world.v11.id),
        "head_name": "Trần Văn Đức",
        "members_count": 4,
        "adults_count": 2,
    } | overrides


def codes(response) -> list[tuple[str, str]]:
    return [(e["loc"][-1], e["code"]) for e in response.json()["errors"]]


async def test_a_digital_member_needs_an_adult_with_skills_vneid_and_dvc(client, world):
    headers = world.auth(Role.team_leader)
    for missing in ("adults_digital_skills", "adults_vneid", "adults_dvc"):
        response = await client.post(
            "/api/v1/households", json=body(world, **(DIGITAL | {missing: 0})), headers=headers
        )
        assert response.status_code == 422, missing
        assert codes(response) == [("has_digital_member", CODE)]
        assert missing in response.json()["errors"][0]["msg"]
    flag_alone = await client.post(
        "/api/v1/households", json=body(world, has_digital_member=True), headers=headers
    )
    assert codes(flag_alone) == [("has_digital_member", CODE)]
    sound = await client.post("/api/v1/households", json=body(world, **DIGITAL), headers=headers)
    assert sound.status_code == 201, sound.text
    assert sound.json()["has_digital_member"] is True


async def test_a_visit_that_takes_the_last_dvc_account_must_clear_the_flag(client, world):
    created = await client.post(
        "/api/v1/households", json=body(world, **DIGITAL), headers=world.auth(Role.team_leader)
    )
    url = f"/api/v1/households/{created.json()['id']}"
    member = world.auth(Role.team_member)
    refused = await client.patch(url, json={"adults_dvc": 0}, headers=member)
    assert refused.status_code == 422
    assert codes(refused) == [("has_digital_member", CODE)]
    visit = await client.patch(url, json={"adults_dvc": 0, "has_digital_member": False}, headers=member)
    assert visit.status_code == 200, visit.text
    assert (visit.json()["adults_dvc"], visit.json()["has_digital_member"]) == (0, False)


async def test_the_import_refuses_the_same_row(world, session):
    from app.households.imports.run import import_households

    content = (
        "Thôn,Chủ hộ,Số nhân khẩu,Số người trưởng thành,Kỹ năng số,VNeID,DVC,Hộ gia đình số\n"
        "Đình,Đủ Cả,3,2,1,1,1,x\n"  # line 2: sound
        "Đình,Thiếu DVC,3,2,1,1,0,x\n"  # line 3: no adult with a DVC account
        "Đình,Không Ai,3,2,0,0,0,x\n"  # line 4: nobody at all
        "Đình,Không Cờ,3,2,0,0,0,\n"  # line 5: no flag, no problem
    )
    report = await import_households(
        session, admin(), world.c1.id, io.BytesIO(content.encode()), filename="a.csv", dry_run=True
    )
    assert [(e.line, e.field, e.code) for e in report.errors] == [
        (3, "has_digital_member", CODE),
        (4, "has_digital_member", CODE),
    ]
