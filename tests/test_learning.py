"""Learning materials (issue 20, item 8; plans 000 and 004): the commune and the province publish guides
(documents, courses of the national "Bình dân học vụ số" platform, short videos, all by link) to their
teams; everyone in the area reads them, from the village up, viewers too."""

from datetime import UTC, datetime, timedelta

import pytest

from app.authz.permissions import Role
from app.models import LearningMaterial, Unit
from tests.test_campaigns import audit_rows
from tests.world import ROLES

URL = "https://binhdanhocvuso.gov.vn/khoa-hoc/ky-nang-so-co-ban"
# Guides published at p, c1, c2 (province p), and at p2, c3 (another province).
PLACES = ("p", "c1", "c2", "p2", "c3")
# What each role reads: its area's guides and those published above it (a village reads its commune's
# and its province's).
SEES = {
    Role.admin: set(PLACES),
    Role.province_officer: {"p", "c1", "c2"},
    Role.commune_officer: {"p", "c1"},
    Role.team_leader: {"p", "c1"},
    Role.team_member: {"p", "c1"},
    Role.viewer: {"p", "c1"},
}
# Who may publish at the commune c1: its officers (and the province's, whose area holds it).
PUBLISH_AT_C1 = {Role.admin: 201, Role.province_officer: 201, Role.commune_officer: 201, Role.viewer: 403}


async def make_material(session, unit: Unit, title: str, **values) -> LearningMaterial:
    values = {"kind": "document", "url": URL} | values
    material = LearningMaterial(unit_id=unit.id, title=title, **values)
    session.add(material)
    await session.flush()
    return material


@pytest.fixture
async def materials(world, session):
    materials = {
        name: await make_material(session, world.units[name], f"Hướng dẫn {name}") for name in PLACES
    }
    await session.commit()
    return materials


def body(world, **overrides):
    return {
        "unit_id": str(world.c1.id),
        "kind": "course",
        "title": "Kỹ năng số cơ bản cho người cao tuổi",
        "url": URL,
        "summary": "Bước 1: mở ứng dụng VNeID.\nBước 2: chọn Đăng nhập.",
        "topic": "vneid_activation",
    } | overrides


@pytest.mark.parametrize("role", ROLES)
async def test_everyone_reads_the_guides_of_their_area_and_above_it(client, world, materials, role):
    response = await client.get("/api/v1/learning-materials", headers=world.auth(role))
    assert response.status_code == 200, response.text
    page = response.json()
    assert {m["title"] for m in page["items"]} == {f"Hướng dẫn {n}" for n in SEES[role]}
    assert page["total"] == len(SEES[role])
    names = {m["title"]: m["unit_name"] for m in page["items"]}
    if "p" in SEES[role]:
        assert names["Hướng dẫn p"] == "Tỉnh Thử"
    for name, material in materials.items():
        got = await client.get(f"/api/v1/learning-materials/{material.id}", headers=world.auth(role))
        assert got.status_code == (200 if name in SEES[role] else 404), (role, name)
        if got.status_code == 200:
            assert got.json()["url"] == URL and got.headers["etag"] == '"1"'


@pytest.mark.parametrize("role", ROLES)
async def test_officers_publish_at_their_commune(client, world, role):
    response = await client.post("/api/v1/learning-materials", json=body(world), headers=world.auth(role))
    # A village's team does not see the commune as a unit it may write into: it does not exist for them.
    assert response.status_code == PUBLISH_AT_C1.get(role, 404), response.text
    if response.status_code == 201:
        material = response.json()
        assert (material["kind"], material["title"], material["url"], material["topic"]) == (
            "course",
            "Kỹ năng số cơ bản cho người cao tuổi",
            URL,
            "vneid_activation",
        )
        assert material["summary"] == "Bước 1: mở ứng dụng VNeID.\nBước 2: chọn Đăng nhập."
        assert material["unit_name"] == "Xã Đông Hòa"
        # The village's member reads it at once.
        listed = await client.get("/api/v1/learning-materials", headers=world.auth(Role.team_member))
        assert [m["id"] for m in listed.json()["items"]] == [material["id"]]


async def test_a_repeated_create_answers_the_same_guide(client, world):
    headers = world.auth(Role.commune_officer)
    sent = body(world, id="01900000-0000-7000-8000-000000000001")
    first = await client.post("/api/v1/learning-materials", json=sent, headers=headers)
    again = await client.post("/api/v1/learning-materials", json=sent, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    other = await client.post("/api/v1/learning-materials", json=sent | {"title": "Khác"}, headers=headers)
    assert other.status_code == 409


async def test_guides_live_at_a_commune_or_a_province(client, world):
    response = await client.post(
        "/api/v1/learning-materials",
        json=body(world, unit_id=str(world.v11.id)),
        headers=world.auth(Role.admin),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "unit_id"]
    assert "commune" in response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "ftp://binhdanhocvuso.gov.vn/tai-lieu.pdf",
        "//binhdanhocvuso.gov.vn/khoa-hoc",
        "binhdanhocvuso.gov.vn/khoa-hoc",
        "https://",
        "https:binhdanhocvuso.gov.vn",
        "https://binhdanhocvuso.gov.vn@lua-dao.example/dang-nhap",
        "https://user:pass@binhdanhocvuso.gov.vn/",
        "https://binhdanhocvuso.gov.vn/khoa hoc",
        "https://binhdanhocvuso.gov.vn:99999/",
        "https://[::1/",
        "https://binhdanhocvuso.gov.vn/\u202egpj.exe",
        "",
        "https://x.vn/" + "a" * 2000,
    ],
)
async def test_only_web_links_are_kept(client, world, url):
    response = await client.post(
        "/api/v1/learning-materials", json=body(world, url=url), headers=world.auth(Role.commune_officer)
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["body", "url"]


@pytest.mark.parametrize(
    "url",
    [
        "https://binhdanhocvuso.gov.vn/khoa-hoc/ky-nang-so-co-ban?bai=1#muc-2",
        "http://ngochoi.hanoi.gov.vn/tai-lieu/huong-dan-vneid.pdf",
        "HTTPS://www.youtube.com/watch?v=abc123",
        "https://zalo.me/g/abcdef",
        "https://dichvucong.gov.vn:443/p/home/dvc-trang-chu.html",
    ],
)
async def test_web_links_are_kept_as_written(client, world, url):
    response = await client.post(
        "/api/v1/learning-materials", json=body(world, url=url), headers=world.auth(Role.commune_officer)
    )
    assert response.status_code == 201, response.text
    assert response.json()["url"] == url


async def test_an_update_cannot_bring_in_a_bad_link(client, world, materials):
    url = f"/api/v1/learning-materials/{materials['c1'].id}"
    headers = world.auth(Role.commune_officer)
    bad = await client.patch(url, json={"url": "javascript:alert(1)"}, headers=headers)
    assert bad.status_code == 422
    for field in ("url", "title", "kind"):
        cleared = await client.patch(url, json={field: None}, headers=headers)
        assert cleared.status_code == 422, field
    fine = await client.patch(url, json={"title": "Cài đặt VssID", "topic": "vssid"}, headers=headers)
    assert fine.status_code == 200, fine.text
    assert (fine.json()["title"], fine.json()["topic"], fine.json()["version"]) == (
        "Cài đặt VssID",
        "vssid",
        2,
    )


async def test_a_commune_reads_the_province_guides_but_does_not_edit_them(client, world, materials):
    commune = world.auth(Role.commune_officer)
    province_guide = f"/api/v1/learning-materials/{materials['p'].id}"
    assert (await client.get(province_guide, headers=commune)).status_code == 200
    assert (await client.patch(province_guide, json={"title": "Sửa"}, headers=commune)).status_code == 403
    assert (await client.delete(province_guide, headers=commune)).status_code == 403
    # The province edits its communes' guides; a team member edits none.
    commune_guide = f"/api/v1/learning-materials/{materials['c1'].id}"
    province = world.auth(Role.province_officer)
    assert (await client.patch(commune_guide, json={"kind": "video"}, headers=province)).status_code == 200
    member = world.auth(Role.team_member)
    assert (await client.patch(commune_guide, json={"title": "Sửa"}, headers=member)).status_code == 403
    # Nor can a commune move its guide up to the province (no unit of its own area).
    moved = await client.patch(commune_guide, json={"unit_id": str(world.p.id)}, headers=commune)
    assert moved.status_code == 404


async def test_filters_by_kind_and_topic_and_unit(client, world, session, materials):
    await make_material(session, world.c1, "Video VssID", kind="video", topic="vssid")
    await session.commit()
    headers = world.auth(Role.team_member)
    videos = (
        await client.get("/api/v1/learning-materials", params={"kind": "video"}, headers=headers)
    ).json()
    assert [m["title"] for m in videos["items"]] == ["Video VssID"]
    vssid = (
        await client.get("/api/v1/learning-materials", params={"topic": "vssid"}, headers=headers)
    ).json()
    assert [m["title"] for m in vssid["items"]] == ["Video VssID"]
    province = world.auth(Role.province_officer)
    c2 = await client.get(
        "/api/v1/learning-materials", params={"unit_id": str(world.c2.id)}, headers=province
    )
    assert [m["title"] for m in c2.json()["items"]] == ["Hướng dẫn c2"]
    bad = await client.get("/api/v1/learning-materials", params={"topic": "nope"}, headers=headers)
    assert bad.status_code == 422


async def test_a_withdrawn_guide_leaves_a_tombstone_for_the_phones(client, world, session, materials):
    member = world.auth(Role.team_member)
    since = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    feed = (
        await client.get("/api/v1/learning-materials", params={"updated_since": since}, headers=member)
    ).json()
    assert {m["title"] for m in feed["items"]} == {"Hướng dẫn p", "Hướng dẫn c1"}
    deleted = await client.delete(
        f"/api/v1/learning-materials/{materials['c1'].id}", headers=world.auth(Role.commune_officer)
    )
    assert deleted.status_code == 204
    feed = (
        await client.get("/api/v1/learning-materials", params={"updated_since": since}, headers=member)
    ).json()
    gone = [m for m in feed["items"] if m.get("deleted")]
    assert [m["id"] for m in gone] == [str(materials["c1"].id)]
    listed = (await client.get("/api/v1/learning-materials", headers=member)).json()
    assert [m["title"] for m in listed["items"]] == ["Hướng dẫn p"]
    rows = await audit_rows(session, "learning_material", materials["c1"].id)
    assert [r.action for r in rows] == ["delete"]
    assert "unit_name" not in rows[0].before
