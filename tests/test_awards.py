"""The 10/10 awards: a commune ranks its villages by the weighted score the award shows beside its
ranking; the ranking is live until the cut-off and frozen after it."""

import io
import uuid
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.authz.permissions import Role
from app.authz.principal import SYSTEM
from app.awards.service import freeze, freeze_due
from app.kpi import aggregates
from app.kpi.indicators import FORMULA
from app.kpi.periods import VIETNAM, local_today
from app.models import Award
from tests.world import ROLES, make_household

URL = "/api/v1/awards"
# The figures stand at the end of the cut-off day: this year's award, cut off at the year's end,
# counts the households the fixtures make today.
YEAR = local_today().year


@pytest.fixture
async def villages(world, session):
    """v11: 2 households, both informed, 1 of 2 adults with a smartphone; v12: 2 households, one
    informed, both adults with a smartphone. Targets (on the commune, inherited): 100 % each."""
    for informed, smartphones in ((True, 1), (True, 0)):
        await make_household(
            session, world.v11, "A", adults_count=1, adults_smartphone=smartphones, informed=informed
        )
    for informed in (True, False):
        await make_household(session, world.v12, "B", adults_count=1, adults_smartphone=1, informed=informed)
    await aggregates.rebuild(session)
    await session.commit()


def body(world, **overrides):
    return {
        "unit_id": str(world.c1.id),
        "title": "Khen thưởng Ngày Chuyển đổi số 10/10/2026",
        "period": str(YEAR),
        "cutoff_on": f"{YEAR}-12-31",
        "weights": {"households_informed_pct": 3, "adults_smartphone_pct": 1},
    } | overrides


async def targets(client, world, year: int = YEAR):
    for indicator in ("households_informed_pct", "adults_smartphone_pct"):
        target = {"unit_id": str(world.c1.id), "year": year, "indicator": indicator, "value": 100}
        assert (
            await client.post("/api/v1/targets", json=target, headers=world.auth(Role.admin))
        ).status_code == 201


async def test_a_commune_ranks_its_villages_by_the_weighted_score(client, world, villages):
    await targets(client, world)
    headers = world.auth(Role.commune_officer)
    created = await client.post(URL, json=body(world), headers=headers)
    assert created.status_code == 201, created.text
    award = (await client.get(f"{URL}/{created.json()['id']}", headers=headers)).json()
    assert award["status"] == "open" and award["formula"] == FORMULA
    ranking = {row["name"]: row for row in award["ranking"]}
    # v11: informed 100 % (weight 3), smartphones 50 % (weight 1) → (3 + 0.5) / 4 = 87.5
    # v12: informed 50 % (weight 3), smartphones 100 % (weight 1) → (1.5 + 1) / 4 = 62.5
    assert ranking[world.v11.name]["score"] == 87.5 and ranking[world.v11.name]["rank"] == 1
    assert ranking[world.v12.name]["score"] == 62.5 and ranking[world.v12.name]["rank"] == 2
    assert {i["code"]: i["weight"] for i in ranking[world.v11.name]["indicators"]} == {
        "households_informed_pct": 3,
        "adults_smartphone_pct": 1,
    }


async def test_without_targets_nothing_scores(client, world, villages):
    created = await client.post(URL, json=body(world), headers=world.auth(Role.commune_officer))
    award = (await client.get(f"{URL}/{created.json()['id']}", headers=world.auth(Role.viewer))).json()
    assert [(row["rank"], row["score"]) for row in award["ranking"]] == [(None, None), (None, None)]


@pytest.mark.parametrize("role", ROLES)
async def test_who_may_define_and_read_an_award(client, world, role):
    """Officers define awards; everyone in the commune reads them, the village teams from below."""
    response = await client.post(URL, json=body(world), headers=world.auth(role))
    officer = role in (Role.admin, Role.province_officer, Role.commune_officer)
    # A village's team cannot see the commune as a unit to write into: it does not exist for them (404).
    assert response.status_code == (201 if officer else 403 if role is Role.viewer else 404)
    award = await client.post(URL, json=body(world), headers=world.auth(Role.admin))
    read = await client.get(f"{URL}/{award.json()['id']}", headers=world.auth(role))
    assert read.status_code == 200 and read.json()["title"] == body(world)["title"]


async def test_an_award_out_of_the_callers_area_does_not_exist(client, world):
    created = await client.post(
        URL, json=body(world, unit_id=str(world.c3.id)), headers=world.auth(Role.admin)
    )
    for role in (Role.province_officer, Role.commune_officer, Role.viewer):
        assert (
            await client.get(f"{URL}/{created.json()['id']}", headers=world.auth(role))
        ).status_code == 404


@pytest.mark.parametrize(
    "overrides,field,code",
    [
        ({"unit_id": "v11"}, "unit_id", "unit.wrong_level"),
        ({"cutoff_on": f"{YEAR - 1}-12-31"}, "cutoff_on", "award.cutoff_before_period"),
        ({"period": "2026-13"}, "period", "string_pattern_mismatch"),
        ({"weights": {}}, "weights", "too_short"),
        ({"weights": {"nonsense": 1}}, "weights", "literal_error"),
    ],
)
async def test_a_bad_award_is_422(client, world, overrides, field, code):
    if "unit_id" in overrides:
        overrides = {"unit_id": str(world.units[overrides["unit_id"]].id)}
    response = await client.post(URL, json=body(world, **overrides), headers=world.auth(Role.commune_officer))
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["loc"][:2] == ["body", field] and error["code"] == code


async def test_the_ranking_freezes_after_the_cutoff_and_never_changes(client, world, villages, session):
    await targets(client, world)
    headers = world.auth(Role.commune_officer)
    award_id = (await client.post(URL, json=body(world, cutoff_on="2099-10-05"), headers=headers)).json()[
        "id"
    ]
    early = await client.post(f"{URL}/{award_id}/freeze", headers=headers)
    assert early.status_code == 409 and early.json()["code"] == "award.before_cutoff"

    frozen = await freeze(session, SYSTEM, uuid.UUID(award_id), None, today=date(2099, 10, 6))
    await session.commit()
    assert frozen.status == "frozen" and frozen.frozen_by == "system"
    before = (await client.get(f"{URL}/{award_id}", headers=headers)).json()

    # v12's uninformed household is informed now: the live figures move, the frozen ranking does not.
    listed = await client.get("/api/v1/households", params={"unit_id": str(world.v12.id)}, headers=headers)
    uninformed = next(h for h in listed.json()["items"] if not h["informed"])
    patched = await client.patch(
        f"/api/v1/households/{uninformed['id']}", json={"informed": True}, headers=headers
    )
    assert patched.status_code == 200
    after = (await client.get(f"{URL}/{award_id}", headers=headers)).json()
    assert after["ranking"] == before["ranking"] and after["status"] == "frozen"

    for attempt in (
        client.patch(f"{URL}/{award_id}", json={"title": "Khác"}, headers=headers),
        client.delete(f"{URL}/{award_id}", headers=headers),
        client.post(f"{URL}/{award_id}/freeze", headers=headers),
    ):
        response = await attempt
        assert response.status_code == 409, (
            response.request.method,
            response.request.url,
            response.text,
        ) and response.json()["code"] == "award.frozen"


async def test_the_daily_job_freezes_only_awards_past_their_cutoff(client, world, session):
    headers = world.auth(Role.commune_officer)
    past = (await client.post(URL, json=body(world, cutoff_on=f"{YEAR}-10-05"), headers=headers)).json()["id"]
    later = (await client.post(URL, json=body(world, cutoff_on=f"{YEAR}-10-20"), headers=headers)).json()[
        "id"
    ]
    assert await freeze_due(session, today=date(YEAR, 10, 10)) == 1
    assert await freeze_due(session, today=date(YEAR, 10, 10)) == 0  # idempotent
    statuses = dict((await session.execute(select(Award.id, Award.status))).all())
    assert {str(k): v for k, v in statuses.items()} == {past: "frozen", later: "open"}


async def test_the_ranking_exports_as_the_list_for_the_award_decision(client, world, villages, session):
    await targets(client, world)
    headers = world.auth(Role.commune_officer)
    award_id = (await client.post(URL, json=body(world, cutoff_on="2099-10-05"), headers=headers)).json()[
        "id"
    ]
    response = await client.get(f"{URL}/{award_id}/export.xlsx", headers=headers)
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(values_only=True)]
    cells = [str(c) for r in rows for c in r if c is not None]
    assert cells[0] == f"UBND {world.c1.name.upper()}" and "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in cells
    assert any(c.startswith("Bảng xếp hạng tạm tính") for c in cells)  # open: provisional
    assert any(FORMULA in c for c in cells)
    header = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert [(r[1], r[3], r[4]) for r in rows[header + 1 : header + 3]] == [
        (world.v11.name, 87.5, 1),
        (world.v12.name, 62.5, 2),
    ]


# --- At the cut-off (issue 19, point 6) ------------------------------------------------------------


def vn_moment(day: date, hour: int, minute: int = 0) -> str:
    """A moment of a Vietnamese day, as a phone sends it."""
    return datetime.combine(day, time(hour, minute), VIETNAM).isoformat()


async def record(client, headers, unit, day: date, hour: int, people: int) -> None:
    activity = {"unit_id": str(unit.id), "kind": "vneid_activation", "people_count": people}
    activity["occurred_at"] = vn_moment(day, hour)
    response = await client.post("/api/v1/activities", json=activity, headers=headers)
    assert response.status_code == 201, response.text


def indicator(row: dict, code: str) -> float | None:
    return next(i["value"] for i in row["indicators"] if i["code"] == code)


async def test_an_award_frozen_after_its_cutoff_counts_the_activities_dated_up_to_the_cutoff(
    client, world, session
):
    """An award read or frozen weeks after its cut-off counts the help given up to the end of the
    cut-off day (Vietnam time), not what was done after it."""
    today = local_today()
    cutoff = today - timedelta(days=45)
    headers = world.auth(Role.commune_officer)
    await record(client, headers, world.v11, cutoff, 23, people=4)  # 23:00 on the cut-off day counts
    await record(client, headers, world.v12, cutoff - timedelta(days=1), 9, people=2)
    await record(client, headers, world.v12, cutoff + timedelta(days=1), 0, people=6)  # 00:00 the day after
    await record(client, headers, world.v12, cutoff + timedelta(days=35), 9, people=10)  # a later month
    weights = {"people_supported": 1, "households_informed_pct": 1}
    data = body(world, period=str(cutoff.year), cutoff_on=cutoff.isoformat(), weights=weights)
    award_id = (await client.post(URL, json=data, headers=headers)).json()["id"]

    live = (await client.get(f"{URL}/{award_id}", headers=headers)).json()
    people = {row["name"]: indicator(row, "people_supported") for row in live["ranking"]}
    assert people == {world.v11.name: 4, world.v12.name: 2}
    assert live["as_of"] == cutoff.isoformat() and live["cutoff_passed"] is True

    frozen = await freeze(session, SYSTEM, uuid.UUID(award_id), None, today=today)
    await session.commit()
    assert {row.name: indicator(row.model_dump(), "people_supported") for row in frozen.ranking} == people
    stored = (await client.get(f"{URL}/{award_id}", headers=headers)).json()
    assert {row["name"]: indicator(row, "people_supported") for row in stored["ranking"]} == people


async def test_an_award_frozen_after_its_cutoff_ranks_households_as_they_stood_that_day(
    client, world, session
):
    """v11 informed its household before the cut-off, v12 only after it: at the cut-off v11 leads,
    whenever the award is frozen."""
    today = local_today()
    cutoff = today - timedelta(days=40)
    headers = world.auth(Role.commune_officer)
    await targets(client, world, cutoff.year)
    before, after = vn_moment(cutoff - timedelta(days=10), 10), vn_moment(cutoff + timedelta(days=3), 10)
    ids = {}
    for unit, informed in ((world.v11, True), (world.v12, False)):
        household = {"unit_id": str(unit.id), "head_name": f"Hộ {unit.name}", "members_count": 2}
        household |= {"adults_count": 2, "adults_smartphone": 1, "informed": informed, "observed_at": before}
        created = await client.post("/api/v1/households", json=household, headers=headers)
        assert created.status_code == 201, created.text
        ids[unit.name] = created.json()["id"]
    # After the cut-off v12 informs its household and both gain a smartphone: none of it counts.
    for name, change in ((world.v12.name, {"informed": True}), (world.v11.name, {})):
        change |= {"adults_smartphone": 2, "observed_at": after}
        patched = await client.patch(f"/api/v1/households/{ids[name]}", json=change, headers=headers)
        assert patched.status_code == 200, patched.text

    weights = {"households_informed_pct": 1, "adults_smartphone_pct": 1}
    data = body(world, period=str(cutoff.year), cutoff_on=cutoff.isoformat(), weights=weights)
    award_id = (await client.post(URL, json=data, headers=headers)).json()["id"]
    frozen = await freeze(session, SYSTEM, uuid.UUID(award_id), None, today=today)
    await session.commit()
    # v11: informed 100 %, smartphones 50 % → 75; v12: informed 0 %, smartphones 50 % → 25.
    assert [(row.name, row.score, row.rank) for row in frozen.ranking] == [
        (world.v11.name, 75.0, 1),
        (world.v12.name, 25.0, 2),
    ]
    values = {row.name: {i.code: i.value for i in row.indicators} for row in frozen.ranking}
    assert values[world.v12.name] == {"households_informed_pct": 0.0, "adults_smartphone_pct": 50.0}


async def test_units_without_data_are_listed_apart_and_never_numbered(client, world, session):
    """v12 has no household: no weighted indicator has data there, so it is no candidate for the
    award. It is listed apart, without a rank, in the API, the frozen ranking and the xlsx."""
    await make_household(session, world.v11, "A", adults_count=1, adults_smartphone=1, informed=True)
    await aggregates.rebuild(session)
    await session.commit()
    await targets(client, world)
    headers = world.auth(Role.commune_officer)
    award_id = (await client.post(URL, json=body(world, cutoff_on="2099-10-05"), headers=headers)).json()[
        "id"
    ]

    award = (await client.get(f"{URL}/{award_id}", headers=headers)).json()
    assert [(row["name"], row["rank"], row["score"]) for row in award["ranking"]] == [
        (world.v11.name, 1, 100.0)
    ]
    assert [(row["name"], row["rank"], row["score"]) for row in award["no_data"]] == [
        (world.v12.name, None, None)
    ]
    assert award["as_of"] == f"{YEAR}-12-31" and award["cutoff_passed"] is False  # the period ends first

    response = await client.get(f"{URL}/{award_id}/export.xlsx", headers=headers)
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert rows[header + 1][:5] == (1, world.v11.name, None, 100.0, 1)
    apart = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("Đơn vị chưa có số liệu"))
    assert apart > header + 1
    assert rows[apart + 1][:5] == (None, world.v12.name, None, None, None)  # no number, no rank
    numbered = [r[0] for r in rows[header + 1 :] if isinstance(r[0], int)]
    assert numbered == [1]

    frozen = await freeze(session, SYSTEM, uuid.UUID(award_id), None, today=date(2099, 10, 6))
    await session.commit()
    assert [row.name for row in frozen.ranking] == [world.v11.name]
    assert [row.name for row in frozen.no_data] == [world.v12.name]
    stored = (await client.get(f"{URL}/{award_id}", headers=headers)).json()
    assert [row["name"] for row in stored["no_data"]] == [world.v12.name] and len(stored["ranking"]) == 1


# --- recognition for people, not only units (issue 20, item 5; plan 000 IV.4 and IV.7) -------------


@pytest.fixture
async def people(world, session):
    """Teams in v11 and v12 with members who helped in the award's year; one helped after the cut-off."""
    from app.models import Activity
    from tests.roster import make_member, make_team

    teams = {"v11": await make_team(session, world.v11, "Tổ CNSCĐ Thôn Đình")}
    teams["v12"] = await make_team(session, world.v12, "Tổ CNSCĐ Thôn Chùa")
    members = {
        "an": await make_member(session, teams["v11"], "Nguyễn Văn An"),
        "binh": await make_member(session, teams["v11"], "Trần Thị Bình"),
        "cuong": await make_member(session, teams["v12"], "Lê Văn Cường"),
    }
    day = datetime.combine(date(YEAR, 3, 2), time(9), VIETNAM)
    for member, unit, people, late in (
        ("an", world.v11, 5, False),
        ("an", world.v11, 4, False),
        ("binh", world.v11, 3, False),
        ("cuong", world.v12, 7, False),
        ("binh", world.v11, 50, True),  # after the cut-off: not counted
    ):
        when = datetime.combine(date(YEAR, 10, 11), time(9), VIETNAM) if late else day
        session.add(
            Activity(
                unit_id=unit.id, member_id=members[member].id, kind="vneid_activation", people_count=people,
                occurred_at=when,
            )
        )  # fmt: skip
    await session.flush()
    await session.commit()
    return teams, members


async def _award(client, world, cutoff=f"{YEAR}-10-10") -> dict:
    created = await client.post(
        URL, json=body(world, cutoff_on=cutoff), headers=world.auth(Role.commune_officer)
    )
    assert created.status_code == 201, created.text
    return created.json()


async def test_members_and_teams_are_ranked_too(client, world, people):
    award = await _award(client, world)
    got = (await client.get(f"{URL}/{award['id']}", headers=world.auth(Role.commune_officer))).json()
    members = [
        (r["rank"], r["name"], r["team"], r["people_supported"], r["activities"])
        for r in got["people"]["members"]
    ]
    assert members == [
        (1, "Nguyễn Văn An", "Tổ CNSCĐ Thôn Đình", 9, 2),
        (2, "Lê Văn Cường", "Tổ CNSCĐ Thôn Chùa", 7, 1),
        (3, "Trần Thị Bình", "Tổ CNSCĐ Thôn Đình", 3, 1),
    ]
    teams = [(r["rank"], r["name"], r["unit_name"], r["people_supported"]) for r in got["people"]["teams"]]
    assert teams == [
        (1, "Tổ CNSCĐ Thôn Đình", world.v11.name, 12),
        (2, "Tổ CNSCĐ Thôn Chùa", world.v12.name, 7),
    ]
    # A viewer sees the teams, not the members' names (personal data).
    seen = (await client.get(f"{URL}/{award['id']}", headers=world.auth(Role.viewer))).json()["people"]
    assert seen["members"] == [] and len(seen["teams"]) == 2


async def test_a_leader_proposes_the_commune_reviews_the_chairman_decides(client, world, people, session):
    teams, members = people
    award = await _award(client, world, cutoff="2026-01-31")  # over: it can be frozen and decided
    url = f"{URL}/{award['id']}"
    leader, officer = world.auth(Role.team_leader), world.auth(Role.commune_officer)
    reason = "Hướng dẫn 9 người kích hoạt VNeID mức 2"
    proposed = await client.post(
        f"{url}/nominations",
        json={"kind": "member", "member_id": str(members["an"].id), "reason": reason},
        headers=leader,
    )
    assert proposed.status_code == 201, proposed.text
    assert (proposed.json()["name"], proposed.json()["status"], proposed.json()["proposed_by"]) == (
        "Nguyễn Văn An",
        "proposed",
        "team.leader",
    )
    team = await client.post(
        f"{url}/nominations",
        json={"kind": "team", "team_id": str(teams["v11"].id), "reason": "Tổ dẫn đầu xã"},
        headers=leader,
    )
    assert team.status_code == 201
    # The leader's area is its village: another village's member does not exist for it; nor a repeat.
    other = {"kind": "member", "member_id": str(members["cuong"].id), "reason": "Nhiệt tình"}
    assert (await client.post(f"{url}/nominations", json=other, headers=leader)).status_code == 404
    repeat = {"kind": "member", "member_id": str(members["an"].id), "reason": "Lần hai"}
    again = await client.post(f"{url}/nominations", json=repeat, headers=leader)
    assert again.status_code == 409 and again.json()["code"] == "nomination.exists"
    initiative = await client.post(
        "/api/v1/initiatives",
        json={"unit_id": str(world.v12.id), "title": "Chợ số - Nông thôn số", "description": "Mã QR ở chợ"},
        headers=officer,
    )
    assert initiative.status_code == 201
    by_commune = await client.post(
        f"{url}/nominations",
        json={"kind": "initiative", "initiative_id": initiative.json()["id"], "reason": "Lan tỏa cả xã"},
        headers=officer,
    )
    assert by_commune.status_code == 201 and by_commune.json()["unit_id"] == str(world.v12.id)
    # The leader sees its village's proposals; the commune every one.
    listed = (await client.get(f"{url}/nominations", headers=leader)).json()
    assert sorted(n["name"] for n in listed["items"]) == ["Nguyễn Văn An", "Tổ CNSCĐ Thôn Đình"]
    assert (await client.get(f"{url}/nominations", headers=officer)).json()["total"] == 3
    assert (await client.get(f"{url}/nominations", headers=world.auth(Role.viewer))).status_code == 403

    # The commune reviews; the leader cannot; a decision waits until every proposal is reviewed.
    review = f"{url}/nominations/{proposed.json()['id']}/review"
    assert (await client.post(review, json={"status": "accepted"}, headers=leader)).status_code == 403
    accepted = await client.post(
        review, json={"status": "accepted", "note": "Đúng thành tích"}, headers=officer
    )
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["reviewed_by"]) == ("accepted", "commune.officer")
    decision = {"decision_no": "1234/QĐ-UBND", "decision_date": "2026-10-10"}
    early = await client.post(f"{url}/decision", json=decision, headers=officer)
    assert early.status_code == 409 and early.json()["code"] == "award.proposals_pending"
    rejected = await client.post(
        f"{url}/nominations/{team.json()['id']}/review", json={"status": "rejected"}, headers=officer
    )
    assert rejected.json()["status"] == "rejected"
    await client.post(
        f"{url}/nominations/{by_commune.json()['id']}/review", json={"status": "accepted"}, headers=officer
    )
    assert (await client.post(f"{url}/decision", json=decision, headers=leader)).status_code == 403
    decided = await client.post(f"{url}/decision", json=decision, headers=officer)
    assert decided.status_code == 200, decided.text
    assert (decided.json()["decision_no"], decided.json()["decision_date"]) == ("1234/QĐ-UBND", "2026-10-10")
    # Decided: nothing changes any more.
    late = {"kind": "member", "member_id": str(members["binh"].id), "reason": "Muộn"}
    assert (await client.post(f"{url}/nominations", json=late, headers=leader)).json()[
        "code"
    ] == "award.decided"
    assert (await client.post(f"{url}/decision", json=decision, headers=officer)).status_code == 409
    assert (await client.patch(url, json={"title": "Khác"}, headers=officer)).status_code == 409

    # The award's xlsx is the decision's list: its number and date, and who it honours.
    exported = await client.get(f"{url}/export.xlsx", headers=officer)
    sheet = load_workbook(io.BytesIO(exported.content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "DANH SÁCH KHEN THƯỞNG" in cells
    assert any("Quyết định số 1234/QĐ-UBND ngày 10/10/2026 của Chủ tịch UBND" in c for c in cells)
    rows = [
        row[:5]
        for row in sheet.iter_rows(values_only=True)
        if row[1] in ("Cá nhân", "Tập thể", "Mô hình, cách làm hay")
    ]
    assert rows == [
        (1, "Mô hình, cách làm hay", "Chợ số - Nông thôn số", world.v12.name, "Lan tỏa cả xã"),
        (2, "Cá nhân", "Nguyễn Văn An", world.v11.name, reason),
    ]


async def test_initiatives_are_kept_in_their_area_and_shared_with_every_commune(client, world, session):
    officer, other = world.auth(Role.commune_officer), world.auth(Role.admin)
    mine = await client.post(
        "/api/v1/initiatives",
        json={
            "unit_id": str(world.c1.id),
            "title": "Gia đình số",
            "description": "Mỗi nhà một người biết ký số",
        },
        headers=officer,
    )
    assert mine.status_code == 201 and mine.json()["shared"] is False
    elsewhere = await client.post(
        "/api/v1/initiatives",
        json={
            "unit_id": str(world.c3.id),
            "title": "Đại sứ số",
            "description": "Học sinh hướng dẫn ông bà",
            "shared": True,
        },
        headers=other,
    )
    hidden = await client.post(
        "/api/v1/initiatives",
        json={"unit_id": str(world.c3.id), "title": "Chưa chia sẻ", "description": "Nội bộ"},
        headers=other,
    )
    # Out of the officer's area: the shared one is read by every commune, the other does not exist.
    assert (
        await client.get(f"/api/v1/initiatives/{elsewhere.json()['id']}", headers=officer)
    ).status_code == 200
    assert (
        await client.get(f"/api/v1/initiatives/{hidden.json()['id']}", headers=officer)
    ).status_code == 404
    own = (await client.get("/api/v1/initiatives", headers=officer)).json()
    assert [i["title"] for i in own["items"]] == ["Gia đình số"]
    shared = (await client.get("/api/v1/initiatives", params={"shared": "true"}, headers=officer)).json()
    assert [(i["title"], i["unit_name"]) for i in shared["items"]] == [("Đại sứ số", world.c3.name)]
    # The commune shares its own; a team leader records one in its village; a viewer only reads.
    patched = await client.patch(
        f"/api/v1/initiatives/{mine.json()['id']}", json={"shared": True}, headers=officer
    )
    assert patched.status_code == 200 and patched.json()["shared"] is True
    assert (
        await client.patch(
            f"/api/v1/initiatives/{elsewhere.json()['id']}", json={"shared": False}, headers=officer
        )
    ).status_code == 404
    by_leader = {"unit_id": str(world.v11.id), "title": "Loa phát thanh", "description": "Mỗi sáng 5 phút"}
    assert (
        await client.post("/api/v1/initiatives", json=by_leader, headers=world.auth(Role.team_leader))
    ).status_code == 201
    assert (
        await client.post("/api/v1/initiatives", json=by_leader, headers=world.auth(Role.viewer))
    ).status_code == 403
