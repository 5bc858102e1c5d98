"""Definitions as the plans give them (issue 19, point 8): `has_digital_member` is seed 000's "at least
one member with digital skills, a VNeID account and a DVC account", so a household whose counts hold no
adult with skills, none with VNeID or none with a DVC account cannot have one. The API and the importer
refuse it (app/households/rules.py), and migration 0017 reconciles the rows stored before the rule."""

import importlib.util
import io
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from app.authz.permissions import Role
from app.kpi.periods import VIETNAM
from app.models import AuditLog, Household, HouseholdObservation
from app.models.kpi import HOUSEHOLD_COUNTERS, HouseholdDelta, HouseholdRollup, HouseholdStats
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


# --- migration 0017: the rows stored before the rule ---------------------------------------------


def _migration():
    path = Path(__file__).parents[1] / "migrations" / "versions" / "0017_definitions.py"
    spec = importlib.util.spec_from_file_location("migration_0017", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def _aggregates(session) -> tuple[dict, dict]:
    """The villages' monthly household rows, and what the roll-ups say (their rows and the deltas not
    yet folded, summed), without the rows that hold nothing."""
    rows = {}
    for row in await session.execute(select(HouseholdStats)):
        values = tuple(getattr(row[0], c) for c in HOUSEHOLD_COUNTERS)
        rows[(row[0].unit_id, row[0].month)] = values
    rolled = defaultdict(lambda: [0] * len(HOUSEHOLD_COUNTERS))
    for model in (HouseholdRollup, HouseholdDelta):
        for (record,) in await session.execute(select(model)):
            target = rolled[(record.unit_id, record.month)]
            for i, c in enumerate(HOUSEHOLD_COUNTERS):
                target[i] += getattr(record, c)
    clean = lambda d: {k: tuple(v) for k, v in d.items() if any(v)}  # noqa: E731
    return clean(rows), clean(rolled)


async def _digital(client, world, unit_id, period) -> int:
    response = await client.get(
        "/api/v1/kpi", params={"unit_id": str(unit_id), "period": period}, headers=world.auth(Role.admin)
    )
    assert response.status_code == 200, response.text
    indicator = next(i for i in response.json()["indicators"] if i["code"] == "households_digital_pct")
    return indicator["numerator"]


async def test_migration_0017_clears_impossible_flags_says_so_and_keeps_the_aggregates_exact(
    client, world, session
):
    from app.kpi import aggregates

    admin_headers = world.auth(Role.admin)
    province, commune = world.p.id, world.c1.id
    now = datetime.now(UTC)
    earlier = now - timedelta(days=62)

    async def create(unit, name, **values):
        response = await client.post(
            "/api/v1/households",
            json=body(world, unit_id=str(unit.id), head_name=name, **values),
            headers=admin_headers,
        )
        assert response.status_code == 201, response.text
        return response.json()

    sound = await create(world.v11, "Đủ Cả", **DIGITAL)
    plain = await create(world.v11, "Chưa Có")
    no_dvc = await create(
        world.v11, "Thiếu DVC", adults_digital_skills=1, adults_vneid=1, observed_at=earlier.isoformat()
    )
    visit = await client.patch(
        f"/api/v1/households/{no_dvc['id']}", json={"informed": True}, headers=admin_headers
    )
    assert visit.status_code == 200, visit.text
    nobody = await create(world.v12, "Không Ai")
    elsewhere = await create(world.v21, "Xã Khác", adults_vneid=2, adults_dvc=1)
    wrong = [no_dvc, nobody, elsewhere]

    # Before the rule these were accepted: the flag set by hand, counted in the history and aggregates.
    ids = [uuid.UUID(h["id"]) for h in wrong]
    await session.execute(update(Household).where(Household.id.in_(ids)).values(has_digital_member=True))
    await session.execute(
        update(HouseholdObservation)
        .where(HouseholdObservation.household_id.in_(ids))
        .values(households_digital=1)
    )
    await aggregates.rebuild(session)
    await session.commit()
    this_month, that_month = f"{now.astimezone(VIETNAM):%Y-%m}", f"{earlier.astimezone(VIETNAM):%Y-%m}"
    assert await _digital(client, world, province, this_month) == 4
    assert await _digital(client, world, commune, that_month) == 1
    versions = {h.id: (h.version, h.updated_at) for h in await session.scalars(select(Household))}

    connection = await session.connection()
    counts = await connection.run_sync(_migration().reconcile)
    await session.commit()
    session.expire_all()

    # Three households, four observations (the one without DVC has two: created, then visited).
    assert (counts["households"], counts["observations"]) == (3, 4)
    stored = {h.id: h for h in await session.scalars(select(Household))}
    for h in wrong:
        record = stored[uuid.UUID(h["id"])]
        assert record.has_digital_member is False
        assert record.version == versions[record.id][0] + 1  # phones take it up again
        assert record.updated_at > versions[record.id][1]
    for h in (sound, plain):
        assert stored[uuid.UUID(h["id"])].version == versions[uuid.UUID(h["id"])][0]
    assert stored[uuid.UUID(sound["id"])].has_digital_member is True

    # What it changed, one audit row per household, readable in the audit log.
    rows = (await session.scalars(select(AuditLog).where(AuditLog.actor_name == "migration 0017"))).all()
    assert {r.resource_id: (r.resource, r.action, r.before, r.after) for r in rows} == {
        h["id"]: (
            "household",
            "update",
            {"has_digital_member": True, "version": versions[uuid.UUID(h["id"])][0]},
            {"has_digital_member": False, "version": versions[uuid.UUID(h["id"])][0] + 1},
        )
        for h in wrong
    }
    log = await client.get("/api/v1/audit", params={"resource_id": nobody["id"]}, headers=admin_headers)
    assert [e["actor_name"] for e in log.json()["items"]][0] == "migration 0017"

    # The aggregates equal a recount, in every month and in the roll-ups.
    after = await _aggregates(session)
    assert after[0] == await aggregates.count_households(session)
    await aggregates.rebuild(session)
    assert after == await _aggregates(session)
    await session.commit()
    assert await _digital(client, world, province, this_month) == 1
    assert await _digital(client, world, commune, that_month) == 0

    again = await connection.run_sync(_migration().reconcile)  # nothing left to do
    assert again == {"households": 0, "observations": 0, "aggregates": 0}
