"""The official tree from `vietnam-provinces`, its reloads, and old names resolved through the
`vietnamadminunits` conversion table."""

import dataclasses
import gzip

import pytest
from sqlalchemy import func, select

from app.authz.permissions import Role
from app.core.errors import Invalid
from app.models import AuditLog, LegacyUnit, Unit, UnitChange
from app.units import service
from app.units.legacy import LEGACY_FILE
from app.units.official import OFFICIAL_SINCE, load_official, read_dataset
from tests.world import make_unit

URL = "/api/v1/units"


def test_the_pinned_dataset_is_the_2025_list():
    units = read_dataset()
    by_code = {(u.level, u.code): u for u in units}
    assert sum(u.level == "province" for u in units) == 34
    assert sum(u.level == "commune" for u in units) == 3321
    assert by_code[("province", "01")].name == "Thành phố Hà Nội"
    assert by_code[("province", "40")].name == "Tỉnh Nghệ An"  # the dataset writes provinces bare
    assert dataclasses.astuple(by_code[("commune", "00679")]) == ("00679", "Xã Ngọc Hồi", "commune", "01")
    assert dataclasses.astuple(by_code[("commune", "10888")]) == ("10888", "Xã Cẩm Giang", "commune", "31")
    assert dataclasses.astuple(by_code[("commune", "17152")]) == ("17152", "Xã Quỳnh Sơn", "commune", "40")
    assert {u.name.split()[0] for u in units if u.level == "commune"} == {"Xã", "Phường", "Đặc"}


async def _count(session, *where) -> int:
    return await session.scalar(select(func.count()).select_from(Unit).where(*where))


async def test_load_is_idempotent(session, world):
    first = await load_official(session)
    assert (first.added, first.unchanged, first.deleted) == (3355, 0, 0)
    with gzip.open(LEGACY_FILE, "rt", encoding="utf-8") as shipped:  # every successor is in the list
        assert first.legacy_rows == sum(1 for _ in shipped) - 1 > 10_000
    assert await _count(session, Unit.official, Unit.level == "commune") == 3321
    commune = await session.scalar(select(Unit).where(Unit.level == "commune", Unit.code == "00679"))
    province = await session.get(Unit, commune.parent_id)
    assert (province.code, province.name, commune.valid_from) == ("01", "Thành phố Hà Nội", OFFICIAL_SINCE)
    assert commune.path == f"{province.path}{commune.id.hex}/"
    legacy_ids = set(await session.scalars(select(LegacyUnit.id)))

    second = await load_official(session)
    assert (second.added, second.renamed, second.moved, second.deleted, second.unchanged) == (
        0,
        0,
        0,
        0,
        3355,
    )
    assert await session.scalar(select(func.max(Unit.version)).where(Unit.official)) == 1
    assert await session.scalar(select(func.count()).select_from(UnitChange)) == 0
    assert set(await session.scalars(select(LegacyUnit.id))) == legacy_ids
    assert await _count(session, Unit.level == "province") == 34 + 2  # and the world's own two


async def test_a_newer_dataset_renames_moves_adds_and_keeps_units_holding_data(session, world):
    units = read_dataset()
    await load_official(session, units)
    holding = await session.scalar(select(Unit).where(Unit.level == "commune", Unit.code == "00004"))
    await make_unit(session, "Thôn Giữ Lại", "village", holding)

    newer = [u for u in units if u.code not in ("00004", "00008")]  # 00008 holds nothing
    newer = [dataclasses.replace(u, name="Xã Ngọc Hồi Mới") if u.code == "00679" else u for u in newer]
    newer = [dataclasses.replace(u, parent_code="31") if u.code == "00070" else u for u in newer]
    newer.append(dataclasses.replace(units[1], code="99999", name="Xã Mới Lập"))
    report = await load_official(session, newer)

    assert (report.added, report.renamed, report.moved, report.deleted) == (1, 1, 1, 1)
    assert report.kept == [f"00004 {holding.name}"]
    assert await session.scalar(select(Unit.id).where(Unit.code == "00008", Unit.level == "commune")) is None
    assert await session.get(Unit, holding.id) is not None
    renamed = await session.scalar(select(Unit).where(Unit.code == "00679", Unit.level == "commune"))
    change = await session.scalar(select(UnitChange).where(UnitChange.unit_id == renamed.id))
    assert (renamed.name, change.name_before, change.recorded_by) == (
        "Xã Ngọc Hồi Mới",
        "Xã Ngọc Hồi",
        "load-units",
    )
    moved = await session.scalar(select(Unit).where(Unit.code == "00070", Unit.level == "commune"))
    hai_phong = await session.scalar(select(Unit).where(Unit.code == "31", Unit.level == "province"))
    assert moved.parent_id == hai_phong.id and moved.path.startswith(hai_phong.path)
    audit = await session.scalar(
        select(AuditLog).where(AuditLog.resource == "units").order_by(AuditLog.id.desc())
    )
    assert audit.after["kept"] == report.kept


async def test_codes_are_unique_per_level_and_searchable(client, session, world):
    await load_official(session)
    await session.commit()
    headers = world.auth(Role.admin)
    # A village may reuse a province's code; another province may not.
    village = {"code": "01", "name": "Thôn Một", "level": "village", "parent_id": str(world.c1.id)}
    assert (await client.post(URL, json=village, headers=headers)).status_code == 201
    province = {"code": "01", "name": "Tỉnh Trùng Mã", "level": "province"}
    assert (await client.post(URL, json=province, headers=headers)).status_code == 409

    by_code = await client.get(URL, params={"q": "10888"}, headers=headers)
    assert [u["name"] for u in by_code.json()["items"]] == ["Xã Cẩm Giang"]
    by_name = await client.get(URL, params={"q": "cam giang", "level": "commune"}, headers=headers)
    assert "Xã Cẩm Giang" in [u["name"] for u in by_name.json()["items"]]
    before = await client.get(URL, params={"level": "province", "as_of": "2025-06-30"}, headers=headers)
    assert {u["code"] for u in before.json()["items"]} == {world.p.code, world.p2.code}


async def _resolve(client, headers, q):
    response = await client.get(f"{URL}/resolve", params={"q": q}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


async def test_an_old_commune_resolves_to_the_commune_it_became_part_of(client, session, world):
    await load_official(session)
    await session.commit()
    headers = world.auth(Role.team_member)  # official units are public: anyone signed in may ask

    # Xã Đại Áng (Thanh Trì) was split: most of it went to Xã Ngọc Hồi, the rest to Xã Thường Tín.
    (dai_ang,) = await _resolve(client, headers, "Xã Đại Áng, Huyện Thanh Trì")
    assert dai_ang["split"] is True
    assert (dai_ang["old"]["name"], dai_ang["old"]["district"]) == ("Xã Đại áng", "Huyện Thanh Trì")
    assert [(u["code"], u["name"], u["main"]) for u in dai_ang["units"]] == [
        ("00679", "Xã Ngọc Hồi", True),
        ("10183", "Xã Thường Tín", False),
    ]
    assert dai_ang["units"][0]["province"] == "Thành phố Hà Nội"

    # Two old communes were called Ngọc Hồi; the district tells them apart; accents are optional.
    both = await _resolve(client, headers, "Ngọc Hồi")
    assert {r["old"]["district"] for r in both} == {"Huyện Thanh Trì", "Huyện Chiêm Hóa"}
    (ngoc_hoi,) = await _resolve(client, headers, "xa ngoc hoi, thanh tri, ha noi")
    assert (ngoc_hoi["split"], [u["code"] for u in ngoc_hoi["units"]]) == (False, ["00679"])
    by_code = await _resolve(client, headers, ngoc_hoi["old"]["code"])
    assert [r["units"][0]["code"] for r in by_code] == ["00679"]
    assert await _resolve(client, headers, "Xã Không Có Thật") == []
    assert (await client.get(f"{URL}/resolve", params={"q": " , "}, headers=headers)).status_code == 422


async def test_an_old_commune_follows_later_mergers(client, session, world):
    await load_official(session)
    await session.commit()
    ngoc_hoi = await session.scalar(select(Unit).where(Unit.level == "commune", Unit.code == "00679"))
    thuong_tin = await session.scalar(select(Unit).where(Unit.level == "commune", Unit.code == "10183"))
    merged = await client.post(
        f"{URL}/{thuong_tin.id}/merge",
        json={"into_id": str(ngoc_hoi.id), "effective_on": "2026-01-01"},
        headers=world.auth(Role.admin),
    )
    assert merged.status_code == 200, merged.text
    (dai_ang,) = await _resolve(client, world.auth(Role.admin), "Đại Áng, Thanh Trì")
    assert (dai_ang["split"], [u["code"] for u in dai_ang["units"]]) == (True, ["00679"])


async def test_the_cli_names_a_unit_by_code_id_or_old_name(session, world):
    await load_official(session)
    assert (await service.find(session, "01")).name == "Thành phố Hà Nội"
    assert (await service.find(session, str(world.v11.id))).id == world.v11.id
    assert (await service.find(session, "Xã Ngọc Hồi, Huyện Thanh Trì")).code == "00679"
    assert await service.find(session, "Xã Không Có") is None
    with pytest.raises(Invalid, match="split among 00679 Xã Ngọc Hồi, 10183 Xã Thường Tín"):
        await service.find(session, "Xã Đại Áng, Huyện Thanh Trì")
    with pytest.raises(Invalid, match="several"):
        await service.find(session, "Ngọc Hồi")


def test_the_load_units_command(tmp_path, monkeypatch):
    import sqlite3
    from concurrent.futures import ThreadPoolExecutor

    from typer.testing import CliRunner

    from app.cli import cli
    from app.core.config import get_settings

    database = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    get_settings.cache_clear()

    def invoke(*args):  # a thread of its own: the command runs its own event loop
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(CliRunner().invoke, cli, list(args)).result()

    try:
        assert invoke("migrate").exit_code == 0
        assert invoke("load-units").exit_code == 2  # say what to load
        first = invoke("load-units", "--official")
        assert first.exit_code == 0, first.output
        assert "vietnam-provinces 2025.10.1" in first.output and "3355 added" in first.output
        again = invoke("load-units", "--official")
        assert "0 added, 0 renamed, 0 moved, 3355 unchanged, 0 deleted" in again.output
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT count(*) FROM units WHERE level = 'commune'").fetchone() == (3321,)
    finally:
        get_settings.cache_clear()
