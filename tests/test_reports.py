"""KPI snapshots: the report workflow as each role, late flags, pending list, xlsx, Zalo text, close."""

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.auth.service import access_token
from app.authz.permissions import Role
from app.kpi import aggregates, snapshots
from app.kpi.periods import parse_period
from app.models import Activity, KpiSnapshot, Member, Team
from tests.world import ROLES, make_household, make_user

BASE = "/api/v1/kpi/snapshots"


@pytest.fixture
async def households(world, session):
    """Two households of v11, recorded in January 2026 (one informed)."""
    january = datetime(2026, 1, 5, 3, tzinfo=UTC)
    await make_household(
        session,
        world.v11,
        "A",
        members_count=2,
        adults_count=2,
        adults_vneid=1,
        informed=True,
        created_at=january,
    )
    await make_household(session, world.v11, "B", members_count=1, adults_count=1, created_at=january)
    await aggregates.rebuild(session)
    await session.commit()


async def freeze(client, world, unit, role, period="2026-06"):
    return await client.post(BASE, json={"unit_id": str(unit.id), "period": period}, headers=world.auth(role))


@pytest.mark.parametrize(
    "role,status",
    [
        (Role.admin, 201),
        (Role.province_officer, 201),
        (Role.commune_officer, 201),
        (Role.team_leader, 201),
        (Role.team_member, 403),
        (Role.viewer, 403),
    ],
)
async def test_who_freezes_a_village_report(client, world, households, role, status):
    response = await freeze(client, world, world.v11, role)
    assert response.status_code == status
    if status == 201:
        body = response.json()
        figures = {i["code"]: i for i in body["indicators"]}
        assert figures["households_informed_pct"]["value"] == 50.0
        assert body["status"] == "draft" and body["due_on"] == "2026-06-30"


async def test_workflow_submit_return_resubmit_approve(client, world, households):
    leader, officer = world.auth(Role.team_leader), world.auth(Role.commune_officer)
    report = (await freeze(client, world, world.v11, Role.team_leader)).json()
    url = f"{BASE}/{report['id']}"
    assert (await client.post(f"{url}/approve", headers=officer)).status_code == 409  # not submitted yet
    submitted = await client.post(f"{url}/submit", headers=leader)
    assert submitted.status_code == 200 and submitted.json()["submitted_by"] == "team.leader"
    assert (await client.post(f"{url}/approve", headers=leader)).status_code == 403  # a leader cannot approve
    assert (await client.post(f"{url}/approve", headers=world.auth(Role.team_member))).status_code == 403
    returned = await client.post(f"{url}/return", json={"reason": "Thiếu số liệu thôn"}, headers=officer)
    assert (
        returned.json()["status"] == "returned" and returned.json()["return_reason"] == "Thiếu số liệu thôn"
    )
    refreshed = await freeze(client, world, world.v11, Role.team_leader)
    assert refreshed.status_code == 200  # a returned report can be refreshed and resubmitted
    assert (await client.post(f"{url}/submit", headers=leader)).json()["status"] == "submitted"
    approved = await client.post(f"{url}/approve", headers=officer)
    assert approved.json()["status"] == "approved" and approved.json()["approved_by"] == "commune.officer"
    assert (await freeze(client, world, world.v11, Role.team_leader)).status_code == 409  # frozen for good


async def test_commune_officer_approves_village_reports_of_the_commune_only(client, world, households):
    own = (await freeze(client, world, world.c1, Role.commune_officer)).json()
    assert (
        await client.post(f"{BASE}/{own['id']}/submit", headers=world.auth(Role.commune_officer))
    ).status_code == 200
    # Its own commune's report goes up to the province.
    assert (
        await client.post(f"{BASE}/{own['id']}/approve", headers=world.auth(Role.commune_officer))
    ).status_code == 403
    assert (
        await client.post(f"{BASE}/{own['id']}/approve", headers=world.auth(Role.province_officer))
    ).status_code == 200
    other = (await freeze(client, world, world.v21, Role.admin)).json()
    await client.post(f"{BASE}/{other['id']}/submit", headers=world.auth(Role.admin))
    response = await client.post(f"{BASE}/{other['id']}/approve", headers=world.auth(Role.commune_officer))
    assert response.status_code == 404  # another commune's village does not exist for this officer


async def test_stale_if_match_on_submit_is_412(client, world, households):
    report = (await freeze(client, world, world.v11, Role.team_leader)).json()
    response = await client.post(
        f"{BASE}/{report['id']}/submit", headers=world.auth(Role.team_leader) | {"If-Match": '"7"'}
    )
    assert response.status_code == 412


async def test_late_flags(session, world):
    def report(period, status, submitted_at):
        return KpiSnapshot(
            unit_id=world.v11.id,
            period=period,
            status=status,
            submitted_at=submitted_at,
            frozen_at=datetime.now(UTC),
            due_on=parse_period(period).due_on,
        )

    on_time = snapshots.to_read(report("2026-06", "submitted", datetime(2026, 6, 29, tzinfo=UTC)))
    late = snapshots.to_read(report("2026-06", "submitted", datetime(2026, 7, 1, tzinfo=UTC)))
    never = snapshots.to_read(report("2026-06", "draft", None))  # today is after 30 June 2026
    quarter = snapshots.to_read(report("2026-Q2", "approved", datetime(2026, 6, 16, tzinfo=UTC)))
    on_the_30th = snapshots.to_read(report("2026-06", "submitted", datetime(2026, 6, 30, 2, tzinfo=UTC)))
    assert (on_time.late, late.late, never.late, quarter.late) == (False, True, True, True)
    assert on_the_30th.late  # "trước ngày 30": sent on the 30th is late


async def test_pending_lists_villages_that_have_not_submitted(client, world, households):
    report = (await freeze(client, world, world.v11, Role.team_leader)).json()
    await client.post(f"{BASE}/{report['id']}/submit", headers=world.auth(Role.team_leader))
    response = await client.get(
        f"{BASE}/pending",
        params={"unit_id": str(world.c1.id), "period": "2026-06"},
        headers=world.auth(Role.commune_officer),
    )
    assert [(i["name"], i["status"]) for i in response.json()["items"]] == [("Thôn Chùa", None)]


async def test_list_is_scoped(client, world, households):
    for unit in (world.v11, world.v21, world.v31):
        assert (await freeze(client, world, unit, Role.admin)).status_code == 201
    seen = {}
    for role in ROLES:
        response = await client.get(BASE, params={"period": "2026-06"}, headers=world.auth(role))
        seen[role] = response.json()["total"]
    assert seen == {
        Role.admin: 3,
        Role.province_officer: 2,
        Role.commune_officer: 1,
        Role.team_leader: 1,
        Role.team_member: 1,
        Role.viewer: 1,
    }


async def test_xlsx_opens_and_holds_the_figures(client, world, households):
    report = (await freeze(client, world, world.v11, Role.team_leader)).json()
    response = await client.get(f"{BASE}/{report['id']}/export.xlsx", headers=world.auth(Role.viewer))
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "BÁO CÁO KẾT QUẢ HOẠT ĐỘNG TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG" in [r[0] for r in rows]
    header = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert rows[header][:3] == ("STT", "Chỉ tiêu", "Kết quả")
    informed = next(r for r in rows[header:] if r[1] == "Hộ gia đình được tuyên truyền")
    assert informed[2:5] == (50.0, 1, 2)


async def test_zalo_summary(client, world, households):
    report = (await freeze(client, world, world.v11, Role.team_leader)).json()
    response = await client.get(f"{BASE}/{report['id']}/summary", headers=world.auth(Role.team_member))
    assert response.headers["content-type"].startswith("text/plain")
    assert "Tháng 06/2026" in response.text and "Hộ gia đình được tuyên truyền: 50,0 %" in response.text


async def test_monthly_close_is_idempotent(session, world, households):
    first = await snapshots.monthly_close(session, date(2026, 7, 1))
    assert first == {"created": 9, "closed": 0, "unchanged": 0}  # every unit of the world
    again = await snapshots.monthly_close(session, date(2026, 7, 2))
    assert again == {"created": 0, "closed": 0, "unchanged": 9}
    frozen = await session.scalar(select(KpiSnapshot).where(KpiSnapshot.unit_id == world.v11.id))
    figures = {i["code"]: i for i in frozen.indicators}
    assert (
        frozen.period == "2026-06" and frozen.closed and figures["households_informed_pct"]["value"] == 50.0
    )


async def test_a_report_is_an_administrative_document(client, world, households, session):
    """Issue 14: the issuing body's header, the place-and-date line, the written sections, the
    signature block with the signer's title and full name (not the username), and an A4 page that
    repeats the table's header row; the commune's report lists its villages' lines."""
    leader = world.auth(Role.team_leader)
    report = (await freeze(client, world, world.v11, Role.team_leader)).json()
    sections = {
        "results": "Hỗ trợ 120 lượt.",
        "difficulties": "Sóng yếu ở xóm 3.",
        "proposals": "Thêm 2 điểm hỗ trợ.",
    }
    written = await client.patch(f"{BASE}/{report['id']}", json=sections, headers=leader)
    assert written.status_code == 200 and written.json()["difficulties"] == "Sóng yếu ở xóm 3."
    assert (await client.post(f"{BASE}/{report['id']}/submit", headers=leader)).status_code == 200
    after = await client.patch(f"{BASE}/{report['id']}", json={"results": "Khác"}, headers=leader)
    assert after.status_code == 409 and after.json()["code"] == "report.sent"

    response = await client.get(f"{BASE}/{report['id']}/export.xlsx", headers=leader)
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert cells[0] == f"UBND {world.c1.name.upper()}"
    assert f"TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG {world.v11.name.upper()}" in cells
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells and "Độc lập - Tự do - Hạnh phúc" in cells
    dated = next(c for c in cells if ", ngày " in c)
    assert dated.startswith("Đông Hòa, ngày ") and " tháng " in dated and " năm " in dated
    for heading, text in (
        ("I. KẾT QUẢ THỰC HIỆN", "Hỗ trợ 120 lượt."),
        ("II. KHÓ KHĂN, VƯỚNG MẮC", "Sóng yếu ở xóm 3."),
        ("III. ĐỀ XUẤT, GIẢI PHÁP", "Thêm 2 điểm hỗ trợ."),
    ):
        assert cells[cells.index(heading) + 1] == text
    assert cells[-3:] == ["TỔ TRƯỞNG", "(Ký, ghi rõ họ tên)", world.users[Role.team_leader].full_name]
    assert world.users[Role.team_leader].username not in cells[-1]
    assert int(sheet.page_setup.paperSize) == 9 and sheet.print_title_rows  # 9: A4
    summary = (await client.get(f"{BASE}/{report['id']}/summary", headers=leader)).text
    assert "Khó khăn, vướng mắc: Sóng yếu ở xóm 3." in summary

    commune = (await freeze(client, world, world.c1, Role.commune_officer)).json()
    response = await client.get(
        f"{BASE}/{commune['id']}/export.xlsx", headers=world.auth(Role.commune_officer)
    )
    book = load_workbook(io.BytesIO(response.content))
    lines = list(book["Các đơn vị"].iter_rows(values_only=True))
    village = next(r for r in lines if r[1] == world.v11.name)
    assert village[2] == "Đã gửi"


async def test_a_province_sees_which_villages_are_late(client, world):
    response = await client.get(
        f"{BASE}/pending",
        params={"unit_id": str(world.p.id), "period": "2026-06", "level": "village"},
        headers=world.auth(Role.province_officer),
    )
    assert response.status_code == 200
    assert sorted(i["name"] for i in response.json()["items"]) == sorted(
        [world.v11.name, world.v12.name, world.v21.name]
    )


ADHOC = {
    "starts_on": "2026-06-05",
    "ends_on": "2026-06-30",
    "request_by": "UBND xã Đông Hòa",
    "request_ref": "Công văn số 123/UBND-VHXH ngày 21/6/2026",
    "due_on": "2026-07-05",
}


async def test_an_ad_hoc_report_goes_through_the_same_workflow(client, world, households, session):
    """Issue 19 item 5: "báo cáo đột xuất" (seeds 000 and 004) over any date range, with the request
    it answers, submitted and approved like a monthly one."""
    session.add(
        Activity(
            unit_id=world.v11.id,
            occurred_at=datetime(2026, 6, 10, 3, tzinfo=UTC),
            kind="communication",
            people_count=7,
        )
    )
    session.add(
        Activity(
            unit_id=world.v11.id,
            occurred_at=datetime(2026, 6, 4, 3, tzinfo=UTC),
            kind="communication",
            people_count=4,
        )
    )
    await aggregates.rebuild(session)
    await session.commit()
    leader, officer = world.auth(Role.team_leader), world.auth(Role.commune_officer)
    created = await client.post(BASE, json={"unit_id": str(world.v11.id), **ADHOC}, headers=leader)
    assert created.status_code == 201, created.text
    report = created.json()
    assert report["period"] == "2026-06-05..2026-06-30" and report["adhoc"] is True
    assert (report["starts_on"], report["ends_on"], report["due_on"]) == (
        "2026-06-05",
        "2026-06-30",
        "2026-07-05",
    )
    assert (report["request_by"], report["request_ref"]) == (ADHOC["request_by"], ADHOC["request_ref"])
    figures = {i["code"]: i for i in report["indicators"]}
    assert figures["people_supported"]["value"] == 7  # the 4th is outside the range
    assert report["counts"]["people_supported"] == 7
    again = await client.post(BASE, json={"unit_id": str(world.v11.id), **ADHOC}, headers=leader)
    assert again.status_code == 200 and again.json()["id"] == report["id"]  # the same range refreshes it
    url = f"{BASE}/{report['id']}"
    assert (await client.post(f"{url}/submit", headers=leader)).json()["status"] == "submitted"
    approved = await client.post(f"{url}/approve", headers=officer)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    listed = await client.get(
        BASE, params={"unit_id": str(world.c1.id), "period": report["period"]}, headers=officer
    )
    assert [s["id"] for s in listed.json()["items"]] == [report["id"]]
    monthly = await client.get(
        BASE, params={"unit_id": str(world.c1.id), "period": "2026-06"}, headers=officer
    )
    assert monthly.json()["total"] == 0  # an ad-hoc report is not June's report
    await freeze(client, world, world.v11, Role.team_leader)  # June's
    adhoc = await client.get(BASE, params={"unit_id": str(world.c1.id), "kind": "adhoc"}, headers=officer)
    assert [s["id"] for s in adhoc.json()["items"]] == [report["id"]]
    periodic = await client.get(
        BASE, params={"unit_id": str(world.c1.id), "kind": "periodic"}, headers=officer
    )
    assert [s["period"] for s in periodic.json()["items"]] == ["2026-06"]
    summary = (await client.get(f"{url}/summary", headers=leader)).text
    assert "Báo cáo đột xuất" in summary and "từ 05/06/2026 đến 30/06/2026" in summary
    assert "Công văn số 123/UBND-VHXH" in summary
    sheet = load_workbook(io.BytesIO((await client.get(f"{url}/export.xlsx", headers=leader)).content)).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert "BÁO CÁO ĐỘT XUẤT KẾT QUẢ HOẠT ĐỘNG TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG" in cells
    assert any("Từ ngày 05/06/2026 đến ngày 30/06/2026" in c for c in cells)
    assert any(ADHOC["request_ref"] in c and ADHOC["request_by"] in c for c in cells)


async def test_an_ad_hoc_report_inside_a_month_stops_at_its_last_day(client, world, session):
    for day, people in ((10, 7), (21, 4)):
        moment = datetime(2026, 6, day, 3, tzinfo=UTC)
        session.add(
            Activity(unit_id=world.v11.id, occurred_at=moment, kind="communication", people_count=people)
        )
    await aggregates.rebuild(session)
    await session.commit()
    body = {"unit_id": str(world.v11.id), **ADHOC, "ends_on": "2026-06-20"}
    report = (await client.post(BASE, json=body, headers=world.auth(Role.team_leader))).json()
    assert report["counts"]["people_supported"] == 7  # the report's own count, from the activities
    figures = {i["code"]: i for i in report["indicators"]}
    assert figures["people_supported"]["value"] == 7  # the 21st is after the range


@pytest.mark.parametrize(
    "change,loc",
    [
        ({"request_by": None}, "request_by"),
        ({"due_on": None}, "due_on"),
        ({"ends_on": "2026-06-01"}, "ends_on"),  # before the start
        ({"period": "2026-06"}, "period"),  # a period or a range, not both
        ({"starts_on": "1999-12-31"}, "starts_on"),
        ({"request_by": "UBND\x00"}, "request_by"),
    ],
)
async def test_an_ad_hoc_report_needs_its_range_and_request(client, world, change, loc):
    body = {"unit_id": str(world.v11.id), **ADHOC, **change}
    body = {k: v for k, v in body.items() if v is not None}
    response = await client.post(BASE, json=body, headers=world.auth(Role.team_leader))
    assert response.status_code == 422, response.text
    assert any(loc in e["loc"] for e in response.json()["errors"]), response.json()
    assert (
        await client.post(BASE, json={"unit_id": str(world.v11.id)}, headers=world.auth(Role.team_leader))
    ).status_code == 422


async def test_a_report_carries_results_by_kind_and_the_four_counts(client, world, households, session):
    """Seed 004: Youth Union members who took part, people supported, dossiers, signature certificates
    created; and the results of each kind of help, over the unit's subtree in the period."""
    team = Team(unit_id=world.v11.id, name="Tổ CNSCĐ Thôn Đình")
    session.add(team)
    await session.flush()
    youth = [
        Member(team_id=team.id, unit_id=world.v11.id, full_name=f"Đoàn viên {i}", affiliation="youth_union")
        for i in range(3)
    ]
    teacher = Member(team_id=team.id, unit_id=world.v11.id, full_name="Giáo viên", affiliation="teacher")
    session.add_all([*youth, teacher])
    await session.flush()
    june = datetime(2026, 6, 10, 3, tzinfo=UTC)
    for unit, member, kind, people, dossiers, when in (
        (world.v11, youth[0], "vneid_activation", 4, 0, june),
        (world.v11, youth[0], "online_dossier", 2, 3, june),  # the same member twice: one member
        (world.v12, youth[1], "digital_signature", 5, 0, june),
        (world.v11, teacher, "ecommerce", 1, 0, june),
        (world.c1, None, "communication", 30, 0, june),
        (world.v11, youth[2], "skills_guidance", 9, 0, datetime(2026, 7, 2, 3, tzinfo=UTC)),  # July
        (world.v21, youth[2], "cyber_safety", 6, 0, june),  # another commune
    ):
        session.add(
            Activity(
                unit_id=unit.id,
                member_id=member.id if member else None,
                occurred_at=when,
                kind=kind,
                people_count=people,
                dossier_count=dossiers,
            )
        )
    await aggregates.rebuild(session)
    await session.commit()
    report = (await freeze(client, world, world.c1, Role.commune_officer)).json()
    assert report["counts"] == {
        "youth_union_members": 2,
        "people_supported": 42,
        "online_dossiers": 3,
        "signatures_created": 5,
    }
    by_kind = {k["kind"]: (k["activities"], k["people"], k["dossiers"]) for k in report["by_kind"]}
    assert by_kind == {
        "vneid_activation": (1, 4, 0),
        "dvc_account": (0, 0, 0),
        "online_dossier": (1, 2, 3),
        "epay_account": (0, 0, 0),
        "digital_signature": (1, 5, 0),
        "skills_guidance": (0, 0, 0),
        "ecommerce": (1, 1, 0),
        "cyber_safety": (0, 0, 0),
        "communication": (1, 30, 0),
        "other": (0, 0, 0),
    }
    assert report["by_kind"][0]["name"] == "Kích hoạt tài khoản VNeID"
    village = (await freeze(client, world, world.v11, Role.team_leader)).json()
    assert village["counts"]["youth_union_members"] == 1 and village["counts"]["people_supported"] == 7
    url = f"{BASE}/{report['id']}"
    sheet = load_workbook(
        io.BytesIO((await client.get(f"{url}/export.xlsx", headers=world.auth(Role.commune_officer))).content)
    ).active
    rows = [r for r in sheet.iter_rows(values_only=True)]
    signatures = next(r for r in rows if r[1] == "Chữ ký số")
    assert signatures[2:5] == (1, 5, 0)
    youth_row = next(r for r in rows if r[1] == "Đoàn viên thanh niên tham gia")
    assert youth_row[2] == 2
    summary = (await client.get(f"{url}/summary", headers=world.auth(Role.commune_officer))).text
    assert "Đoàn viên thanh niên tham gia: 2" in summary and "Tuyên truyền: 1 lượt, 30 người" in summary


async def test_due_dates_are_set_per_province(client, world, households, session):
    """Plan 002's words by default ("trước ngày 30 hằng tháng", "trước ngày 15 của tháng cuối quý"); a
    province officer may change them for the province."""
    url = f"{BASE.rsplit('/', 1)[0]}/report-deadlines"
    default = await client.get(f"{url}/{world.v11.id}", headers=world.auth(Role.team_leader))
    assert default.status_code == 200
    assert default.json() | {"version": None} == {
        "province_id": str(world.p.id),
        "monthly_day": 30,
        "monthly_month": "same",
        "quarterly_day": 15,
        "quarterly_month": "last",
        "is_default": True,
        "version": None,
    }
    rule = {"monthly_day": 5, "monthly_month": "next", "quarterly_day": 10, "quarterly_month": "next"}
    assert (
        await client.put(f"{url}/{world.p.id}", json=rule, headers=world.auth(Role.commune_officer))
    ).status_code == 404
    viewer = await make_user(
        session, "province.viewer", Role.viewer, world.p, world.users[Role.viewer].password_hash
    )
    await session.commit()
    as_viewer = {"Authorization": f"Bearer {access_token(viewer.id)[0]}"}
    assert (await client.get(f"{url}/{world.p.id}", headers=as_viewer)).status_code == 200
    assert (await client.put(f"{url}/{world.p.id}", json=rule, headers=as_viewer)).status_code == 403
    assert (
        await client.put(f"{url}/{world.c1.id}", json=rule, headers=world.auth(Role.province_officer))
    ).status_code == 422
    assert (
        await client.put(f"{url}/{world.p2.id}", json=rule, headers=world.auth(Role.province_officer))
    ).status_code == 404
    bad = await client.put(
        f"{url}/{world.p.id}", json=rule | {"monthly_day": 32}, headers=world.auth(Role.province_officer)
    )
    assert bad.status_code == 422
    saved = await client.put(f"{url}/{world.p.id}", json=rule, headers=world.auth(Role.province_officer))
    assert saved.status_code == 200 and saved.json()["is_default"] is False
    report = (await freeze(client, world, world.v11, Role.team_leader)).json()
    assert report["due_on"] == "2026-07-05"
    quarter = (await freeze(client, world, world.c1, Role.commune_officer, "2026-Q2")).json()
    assert quarter["due_on"] == "2026-07-10"
    pending = await client.get(
        f"{BASE}/pending",
        params={"unit_id": str(world.c1.id), "period": "2026-06"},
        headers=world.auth(Role.commune_officer),
    )
    assert pending.json()["due_on"] == "2026-07-05"
    other = (await freeze(client, world, world.v31, Role.admin)).json()
    assert other["due_on"] == "2026-06-30"  # another province keeps plan 002's
    stale = await client.put(
        f"{url}/{world.p.id}", json=rule, headers=world.auth(Role.province_officer) | {"If-Match": '"7"'}
    )
    assert stale.status_code == 412


async def test_a_report_shows_its_periods_end_state_when_made_or_reopened(client, world, households, session):
    """Issue 19 item 5: June's report made in December, and made again after it was returned, holds
    the households as they stood on 30 June, not as they stand when it is made."""
    leader, officer = world.auth(Role.team_leader), world.auth(Role.commune_officer)
    second = (await client.get("/api/v1/households", params={"q": "B"}, headers=leader)).json()["items"][0]
    changed = await client.patch(
        f"/api/v1/households/{second['id']}",
        json={"informed": True, "observed_at": "2026-07-10T09:00:00+07:00"},
        headers=leader | {"If-Match": f'"{second["version"]}"'},
    )
    assert changed.status_code == 200, changed.text
    now = await client.get(
        "/api/v1/kpi", params={"unit_id": str(world.v11.id), "period": "2026-07"}, headers=leader
    )
    assert {i["code"]: i for i in now.json()["indicators"]}["households_informed_pct"]["value"] == 100.0

    def informed(report):
        return {i["code"]: i for i in report["indicators"]}["households_informed_pct"]["value"]

    report = (await freeze(client, world, world.v11, Role.team_leader)).json()
    assert informed(report) == 50.0  # June's end: B was informed in July
    url = f"{BASE}/{report['id']}"
    await client.post(f"{url}/submit", headers=leader)
    await client.post(f"{url}/return", json={"reason": "Bổ sung"}, headers=officer)
    reopened = await freeze(client, world, world.v11, Role.team_leader)
    assert reopened.status_code == 200 and informed(reopened.json()) == 50.0
