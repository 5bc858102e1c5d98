"""The import's row checks are the API's: the same fields, values, messages and codes as
`HouseholdCreate` row by row, the rules of `app.households.rules`, and every error with its code."""

import io
import uuid
from datetime import date, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import select

from app.authz.permissions import Role
from app.authz.principal import Grant, Principal
from app.core.ids import uuid7
from app.households import rules
from app.households.imports.checks import FIELDS, validate
from app.households.imports.run import import_households
from app.households.schemas import HouseholdCreate
from app.kpi.aggregates import count_households
from app.models import Household, Member, Team
from app.models.kpi import HOUSEHOLD_COUNTERS, HouseholdStats
from tests.world import make_household

UNIT = uuid.UUID("01234567-89ab-7def-8123-456789abcdef")


def one_by_one(fields: dict) -> tuple[dict | None, list[tuple]]:
    """What the API would say of the same fields: one model, its dump, or its errors."""
    try:
        return HouseholdCreate.model_validate(fields).model_dump(exclude={"id"}), []
    except ValidationError as exc:
        return None, [(str(e["loc"][0]), e["msg"], e["type"]) for e in exc.errors(include_url=False)]


counts = st.one_of(
    st.integers(-5, 130),
    st.sampled_from(["3", " 7 ", "2.0", "hai", "", "1e2"]),
    st.floats(-1, 120),
    st.booleans(),
)
texts = st.one_of(
    st.text(max_size=8),
    st.text(min_size=190, max_size=310),
    st.sampled_from(["  ", "Nguyễn Văn An", "a\x00b", "0912 345 678", "+84 912.345.678", "abc", "12"]),
)
moments = st.one_of(
    st.datetimes(min_value=datetime(1850, 1, 1), max_value=datetime(2200, 1, 1)),
    st.datetimes(timezones=st.just(timezone(timedelta(hours=7)))),
    st.just(date(2026, 5, 1)),
    st.sampled_from(["2026-05-01T08:00:00+07:00", "2026-05-01", "hôm qua", "1800-01-01T00:00:00Z"]),
)
VALUES = {
    "head_name": texts,
    "code": texts,
    "address": texts,
    "phone": texts,
    "note": st.one_of(texts, st.text(min_size=1990, max_size=2010)),
    "assigned_member_id": st.one_of(st.uuids().map(str), st.sampled_from(["không rõ", "", "123"])),
    "last_visit_at": moments,
    **{
        name: counts
        for name in HouseholdCreate.model_fields
        if HouseholdCreate.model_fields[name].annotation is int
    },
    **{
        name: st.booleans()
        for name in HouseholdCreate.model_fields
        if HouseholdCreate.model_fields[name].annotation is bool
    },
}
rows = st.fixed_dictionaries({}, optional=VALUES).map(lambda fields: fields | {"unit_id": UNIT})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(rows, min_size=1, max_size=12))
def test_checking_a_chunk_at_once_says_what_the_model_says_row_by_row(chunk):
    assert [(values, [tuple(p) for p in problems]) for values, problems in validate(chunk)] == [
        one_by_one(fields) for fields in chunk
    ]


def test_a_chunk_of_good_and_bad_rows_keeps_each_row_in_its_place():
    chunk = [
        {"unit_id": UNIT, "head_name": "An", "members_count": 3},
        {"unit_id": UNIT, "head_name": "", "members_count": 0},
        {"unit_id": UNIT, "head_name": "Bình", "phone": "0912"},
        {"unit_id": UNIT, "members_count": "x"},
    ]
    checked = validate(chunk)
    assert [values["head_name"] if values else None for values, _ in checked] == ["An", None, "Bình", None]
    assert [sorted(p.field for p in problems) for _, problems in checked] == [
        [],
        ["head_name", "members_count"],
        [],
        ["head_name", "members_count"],
    ]
    assert set(FIELDS) == set(HouseholdCreate.model_fields) - {"id"}


def admin() -> Principal:
    return Principal(id=uuid7(), name="tester", grants=(Grant(Role.admin, None, ""),))


async def test_every_row_error_carries_its_rule_code(world, session):
    team = Team(unit_id=world.v21.id, name="Tổ khác")
    session.add(team)
    await session.flush()
    elsewhere = Member(team_id=team.id, unit_id=world.v21.id, full_name="Người xã khác")
    session.add(elsewhere)
    await make_household(session, world.v11, "Đã Có", code="H-1")
    await session.commit()
    content = (
        "Thôn,Chủ hộ,Mã hộ,Số nhân khẩu,Số người trưởng thành,VNeID,Hộ kinh doanh,"
        "Thanh toán không tiền mặt (hộ KD),Đã tuyên truyền,assigned_member_id\n"
        "Đình,Trùng Mã,H-1,1,1,0,,,,\n"  # line 2: the code is taken in the village
        "Đình,Quá Đông,H-2,1,2,0,,,,\n"  # line 3: more adults than members
        "Đình,Quá VNeID,H-3,2,1,2,,,,\n"  # line 4: more VNeID accounts than adults
        "Đình,Không KD,H-4,1,1,0,,x,,\n"  # line 5: cashless, not a business
        f"Đình,Xa,H-5,1,1,0,,,,{elsewhere.id}\n"  # line 6: a member of another commune
        "Đình,Lặp,H-2,1,1,0,,,,\n"  # line 7: the code of line 3 again
        "Chợ,Thôn Lạ,H-6,1,1,0,,,,\n"  # line 8: no such village
        ",Không Thôn,H-7,1,1,0,,,,\n"  # line 9: no village
        "Đình,Hỏng,H-8,0,0,0,,,có lẽ,\n"  # line 10: no member, not yes/no
    )
    report = await import_households(
        session, admin(), world.c1.id, io.BytesIO(content.encode()), filename="a.csv", dry_run=True
    )
    assert [(e.line, e.field, e.code) for e in report.errors] == [
        (2, "code", "household.code_taken"),
        (3, "adults_count", "household.adults_exceed_members"),
        (4, "adults_vneid", "household.exceeds_adults"),
        (5, "business_cashless", "household.cashless_not_business"),
        (6, "assigned_member_id", "household.member_elsewhere"),
        (7, "code", "import.code_repeated"),
        (8, "village", "import.village_unknown"),
        (9, "village", "import.village_missing"),
        (10, "informed", "import.not_yes_no"),
        (10, "members_count", "greater_than_equal"),
    ]
    assert next(e for e in report.errors if e.line == 2).msg == rules.code_taken("H-1").msg


async def test_written_rows_carry_the_rules_keys_and_the_villages_are_recounted(world, session):
    await make_household(session, world.v11, "Đã Có", code="H-1", members_count=3, adults_count=2)
    await session.commit()
    content = (
        "Thôn,Chủ hộ,Mã hộ,Số điện thoại,Địa chỉ,Số nhân khẩu,Số người trưởng thành,"
        "Hộ kinh doanh,Cần hỗ trợ\n"
        "Đình,Nguyễn Văn An,H-2,0912 345 678,Xóm Đông,4,2,x,\n"
        "Chùa,Lê Thị Ánh,,,,2,2,,x\n"
        "Chùa,Trần Bình,C-1,,,1,1,có,\n"
    )
    report = await import_households(
        session, admin(), world.c1.id, io.BytesIO(content.encode()), filename="a.csv"
    )
    assert report.imported == 3
    an = await session.scalar(select(Household).where(Household.head_name == "Nguyễn Văn An"))
    assert an.search_text == rules.search_text("Nguyễn Văn An", "H-2", "0912 345 678", "Xóm Đông")
    assert an.sort_key == rules.sort_key("Nguyễn Văn An") and an.version == 1 and an.deleted_at is None
    assert an.created_at.tzinfo is not None and an.created_at == an.updated_at
    stats = {
        s.unit_id: tuple(getattr(s, c) for c in HOUSEHOLD_COUNTERS)
        for s in await session.scalars(select(HouseholdStats))
    }
    truth = await count_households(session, [world.v11.id, world.v12.id])
    assert stats == truth and truth[world.v11.id][:2] == (2, 7) and truth[world.v12.id][:2] == (2, 3)


async def test_a_big_file_goes_in_whole(world, session):
    """More rows than a chunk, on both databases (COPY on PostgreSQL): all of them, once."""
    lines = ["Chủ hộ,Mã hộ,Số nhân khẩu"] + [f"Hộ {i},M{i},{i % 9 + 1}" for i in range(4500)]
    report = await import_households(
        session, admin(), world.v11.id, io.BytesIO("\n".join(lines).encode()), filename="a.csv"
    )
    assert report.imported == 4500
    codes = set(await session.scalars(select(Household.code).where(Household.unit_id == world.v11.id)))
    assert codes == {f"M{i}" for i in range(4500)}
    assert (await count_households(session, [world.v11.id]))[world.v11.id][:2] == (
        4500,
        sum(i % 9 + 1 for i in range(4500)),
    )
