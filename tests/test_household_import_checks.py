"""The import's row checks are the API's: the same fields, values, messages and codes as
`HouseholdCreate` row by row, the rules of `app.households.rules`, and every error with its code."""

import io
import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy import text as sql

from app.authz.permissions import Role
from app.authz.principal import Grant, Principal
from app.core.errors import Conflict
from app.core.ids import uuid7
from app.households import rules
from app.households.imports import run
from app.households.imports.checks import (
    FIELDS,
    Checker,
    Place,
    Village,
    Villages,
    parse_bool,
    text,
    validate,
)
from app.households.imports.columns import VILLAGE, find_header
from app.households.imports.run import import_households
from app.households.imports.workbook import cell
from app.households.schemas import HouseholdCreate
from app.kpi import observations
from app.kpi.aggregates import count_households
from app.kpi.periods import month_of
from app.models import Household, Member, Team
from app.models.kpi import HOUSEHOLD_COUNTERS, HouseholdObservation, HouseholdStats
from tests.world import make_household

UNIT = uuid.UUID("01234567-89ab-7def-8123-456789abcdef")


def one_by_one(fields: dict) -> tuple[dict | None, list[tuple]]:
    """What the API would say of the same fields: one model, its dump, or its errors."""
    try:
        return HouseholdCreate.model_validate(fields).model_dump(exclude={"id", "observed_at"}), []
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
def test_validating_a_chunk_at_once_says_what_the_model_says_row_by_row(chunk):
    values, failed = validate(chunk)
    assert [(v, [tuple(p) for p in failed.get(n, [])]) for n, v in enumerate(values)] == [
        one_by_one(fields) for fields in chunk
    ]


# A commune's list as cells come out of a file: every column, a village column, cells of every kind.
HEADER = ["Thôn", *(name for name in FIELDS if name != "unit_id")]
WORDS = ["x", "có", "không", "", "  ", "1", "0", "có lẽ", "✓", "Thôn Đình", "Chùa", "Hà Nội", "0912345678"]
cells = st.one_of(
    st.none(),
    st.sampled_from(WORDS),
    st.integers(-3, 120),
    st.sampled_from([0.0, 1.0, 2.5, 912345678.0, True, False]),
    st.text(max_size=6),
    moments,
    st.uuids().map(str),
)
file_rows = st.lists(st.lists(cells, min_size=len(HEADER), max_size=len(HEADER)), min_size=1, max_size=15)


def the_old_way(cells: list, columns, place) -> tuple[tuple | None, set]:
    """One row as the importer checked it before the bulk checks: cell by cell, one model a row."""
    villages, problems, fields, written = Villages(place.villages), set(), {}, None
    for index, name, _ in columns.fields:
        value = cells[index]
        if name == VILLAGE:
            written = value
        elif value is None:
            continue
        elif HouseholdCreate.model_fields[name].annotation is bool:
            if (flag := parse_bool(value)) is None:
                problems.add((name, "import.not_yes_no"))
            else:
                fields[name] = flag
        elif HouseholdCreate.model_fields[name].annotation is int or name == "last_visit_at":
            fields[name] = value
        else:
            fields[name] = text(value, name)
    village = None
    if written is None:
        problems.add((VILLAGE, "import.village_missing"))
    else:
        try:
            village = villages.find(written)
        except LookupError:
            problems.add((VILLAGE, "import.village_ambiguous"))
        else:
            if village is None:
                problems.add((VILLAGE, "import.village_unknown"))
    values, errors = one_by_one(fields | {"unit_id": (village or place).id})
    problems |= {(field, code) for field, _, code in errors}
    if values is not None:
        problems |= {(p.field, p.code) for p in rules.count_problems(values)}
    return (tuple(values[name] for name in FIELDS) if values else None), problems


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(file_rows)
def test_the_bulk_checks_find_what_row_by_row_checks_found(rows):
    place = Place(
        UNIT,
        "Xã Đông Hòa",
        "commune",
        (
            Village(uuid.UUID(int=1), "V1", "Thôn Đình", "a/"),
            Village(uuid.UUID(int=2), "V2", "Thôn Chùa", "b/"),
        ),
    )
    columns = find_header(iter([(1, HEADER)]))
    checker = Checker(columns, place)
    normalized = [(n + 2, [cell(value) for value in row]) for n, row in enumerate(rows)]
    checked = {row.line: row for row in checker.check(list(checker.data_rows(iter(normalized))))}
    for line, row in normalized:
        if all(value is None for value in row):
            assert line not in checked  # a blank row is no row
            continue
        values, problems = the_old_way(row, columns, place)
        found = checked[line]
        repeated = {(p.field, p.code) for p in found.problems if p.code == "import.code_repeated"}
        assert (found.values, {(p.field, p.code) for p in found.problems} - repeated) == (values, problems)


def test_a_chunk_of_good_and_bad_rows_keeps_each_row_in_its_place():
    chunk = [
        {"unit_id": UNIT, "head_name": "An", "members_count": 3},
        {"unit_id": UNIT, "head_name": "", "members_count": 0},
        {"unit_id": UNIT, "head_name": "Bình", "phone": "0912"},
        {"unit_id": UNIT, "members_count": "x"},
    ]
    values, failed = validate(chunk)
    assert [v["head_name"] if v else None for v in values] == ["An", None, "Bình", None]
    assert [sorted(p.field for p in failed.get(n, [])) for n in range(4)] == [
        [],
        ["head_name", "members_count"],
        [],
        ["head_name", "members_count"],
    ]
    assert set(FIELDS) == set(HouseholdCreate.model_fields) - {"id", "observed_at"}


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
        (s.unit_id, s.month): tuple(getattr(s, c) for c in HOUSEHOLD_COUNTERS)
        for s in await session.scalars(select(HouseholdStats))
    }
    truth = await count_households(session, [world.v11.id, world.v12.id])
    this_month = month_of(an.created_at)  # the import's rows are observed now
    assert stats == truth and truth[(world.v11.id, this_month)][:2] == (2, 7)
    assert truth[(world.v12.id, this_month)][:2] == (2, 3)


async def test_a_big_file_goes_in_whole(world, session, monkeypatch):
    """Rows in several chunks and, on PostgreSQL, several COPY statements: all of them, once."""
    monkeypatch.setattr(run, "CHUNK_ROWS", 500)
    monkeypatch.setattr(run, "COPY_ROWS", 1000)
    lines = ["Chủ hộ,Mã hộ,Số nhân khẩu"] + [f"Hộ {i},M{i},{i % 9 + 1}" for i in range(4500)]
    report = await import_households(
        session, admin(), world.v11.id, io.BytesIO("\n".join(lines).encode()), filename="a.csv"
    )
    assert report.imported == 4500
    codes = set(await session.scalars(select(Household.code).where(Household.unit_id == world.v11.id)))
    assert codes == {f"M{i}" for i in range(4500)}
    (counts,) = (await count_households(session, [world.v11.id])).values()
    assert counts[:2] == (
        4500,
        sum(i % 9 + 1 for i in range(4500)),
    )


FILE = (
    "Thôn,Chủ hộ,Mã hộ,Số nhân khẩu,Số người trưởng thành,Kỹ năng số cơ bản,Hộ kinh doanh,"
    "Thanh toán không tiền mặt (hộ KD),Cần hỗ trợ\n"
    "Đình,Nguyễn Văn An,H-2,4,2,1,x,x,\n"
    "Chùa,Lê Thị Ánh,,2,2,0,,,x\n"
    "Chùa,Trần Bình,C-1,1,1,1,có,,\n"
)


async def _monthly(session) -> dict:
    return {
        (s.unit_id, s.month): tuple(getattr(s, c) for c in HOUSEHOLD_COUNTERS)
        for s in await session.scalars(select(HouseholdStats))
    }


async def test_each_household_imported_is_observed_once_when_the_file_says(world, session, database):
    """The history of the imported households is written with them, one observation each, seen at the
    import's `observed_at` (last month's visits, recorded today), and their villages' months hold
    what a recount of the history finds."""
    await make_household(session, world.v11, "Đã Có", code="H-1", members_count=3, adults_count=2)
    await session.commit()
    seen = datetime.now(UTC).replace(microsecond=0) - timedelta(days=40)
    report = await import_households(
        session, admin(), world.c1.id, io.BytesIO(FILE.encode()), filename="a.csv", observed_at=seen
    )
    assert report.imported == 3
    imported = list(await session.scalars(select(Household).where(Household.code.is_distinct_from("H-1"))))
    assert len(imported) == 3 and all(h.created_at > seen for h in imported)  # recorded now
    history = {
        o.household_id: o
        for o in await session.scalars(
            select(HouseholdObservation).where(
                HouseholdObservation.household_id.in_([h.id for h in imported])
            )
        )
    }
    assert set(history) == {h.id for h in imported}  # one each (the ids are the households')
    month = month_of(seen)
    for h in imported:
        o = history[h.id]
        assert (o.unit_id, o.observed_at, o.month_from, o.valid_to, o.month_to) == (
            h.unit_id,
            seen,
            month,
            None,
            None,
        )
        assert tuple(getattr(o, c) for c in HOUSEHOLD_COUNTERS) == observations.vector(h)
    truth = await count_households(session, [world.v11.id, world.v12.id])
    assert await _monthly(session) == truth
    if database == "postgresql":  # the foreign keys' plans were kept for the COPY only
        assert await session.scalar(sql("SHOW plan_cache_mode")) == "force_custom_plan"
    #          households, people, adults, …, business, cashless, need assistance, assisted, skilled
    assert truth[(world.v11.id, month)] == (1, 4, 2, 0, 1, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1)
    assert truth[(world.v12.id, month)] == (2, 3, 3, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1)


@pytest.mark.parametrize("failing", ["households", "history"])
async def test_a_conflict_while_writing_leaves_neither_households_nor_history(
    world, session, database, monkeypatch, failing
):
    """A write the database refuses halfway (a code taken meanwhile; an observation naming a village
    removed meanwhile, after the households went in) is a 409 with nothing written, and the session
    goes on."""
    await make_household(session, world.v11, "Đã Có", code="H-2")
    await session.commit()
    if failing == "households":  # H-2 is taken after the file was checked
        monkeypatch.setattr(run, "_codes_in_use", lambda session, villages: _nothing_taken(villages))
    else:
        first = observations.first

        def elsewhere(households, at, deltas):  # the last row's village is gone
            rows = first(households, at, deltas)
            return rows[:-1] + [(*rows[-1][:2], uuid7(), *rows[-1][3:])]

        monkeypatch.setattr(observations, "first", elsewhere)
    households = set(await session.scalars(select(Household.id)))
    history = set(await session.scalars(select(HouseholdObservation.id)))
    monthly = await _monthly(session)
    content = (FILE if failing == "households" else FILE.replace("H-2", "H-3")).encode()
    with pytest.raises(Conflict):
        await import_households(session, admin(), world.c1.id, io.BytesIO(content), filename="a.csv")
    assert set(await session.scalars(select(Household.id))) == households
    assert set(await session.scalars(select(HouseholdObservation.id))) == history
    assert await _monthly(session) == monthly
    if database == "postgresql":
        assert await session.scalar(sql("SHOW plan_cache_mode")) == "force_custom_plan"
    monkeypatch.undo()  # the same file, without the fault, goes in
    content = FILE.replace("H-2", "H-3").encode()
    report = await import_households(session, admin(), world.c1.id, io.BytesIO(content), filename="a.csv")
    assert report.imported == 3
    assert await _monthly(session) == await count_households(session, [world.v11.id, world.v12.id])


async def _nothing_taken(villages):
    return {v: set() for v in villages}
