"""KPI snapshots: the report workflow as each role, late flags, pending list, xlsx, Zalo text, close."""

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.authz.permissions import Role
from app.kpi import aggregates, snapshots
from app.models import KpiSnapshot
from tests.world import ROLES, make_household

BASE = "/api/v1/kpi/snapshots"


@pytest.fixture
async def households(world, session):
    await make_household(
        session, world.v11, "A", members_count=2, adults_count=2, adults_vneid=1, informed=True
    )
    await make_household(session, world.v11, "B", members_count=1, adults_count=1)
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
            due_on=date(2026, 6, 30),
        )

    on_time = snapshots.to_read(report("2026-06", "submitted", datetime(2026, 6, 29, tzinfo=UTC)))
    late = snapshots.to_read(report("2026-06", "submitted", datetime(2026, 7, 1, tzinfo=UTC)))
    never = snapshots.to_read(report("2026-06", "draft", None))  # today is after 30 June 2026
    quarter = snapshots.to_read(report("2026-Q2", "approved", datetime(2026, 6, 16, tzinfo=UTC)))
    assert (on_time.late, late.late, never.late, quarter.late) == (False, True, True, True)


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
