"""Property: over random trees, households and principals, the household list returns exactly the rows
the scope rule allows, on both databases; on PostgreSQL its driver rendering (app.core.driver) returns
the same rows as SQLAlchemy's execution of the same statements."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.authz.permissions import PERMISSIONS, Permission, Role
from app.authz.principal import Grant, Principal
from app.core.db import db
from app.core.driver import driver
from app.core.errors import AppError
from app.core.text import fold
from app.households import service
from app.models import Household
from tests.world import make_household, make_unit

NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Đức Mạnh"]
ROLES = [r for r in Role if r is not Role.integration]

tree = st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=3), min_size=1, max_size=3)  # households
grants = st.lists(st.tuples(st.sampled_from(ROLES), st.integers(0, 30)), min_size=1, max_size=3)
queries = st.tuples(
    st.one_of(st.none(), st.integers(0, 30)),  # ?unit_id=
    st.one_of(st.none(), st.sampled_from(["nguyen", "van", "%", "_", "đức", "x"])),  # ?q=
    st.one_of(st.none(), st.booleans()),  # ?informed=
)


async def build(session, shape):
    """Two provinces with the communes and villages of `shape` ([[households per village]…] per
    commune); returns the units (provinces, communes, villages in order) and the households."""
    units, households = [], []
    for p in range(2):
        province = await make_unit(session, f"Tỉnh {p}", "province")
        units.append(province)
        for c, villages in enumerate(shape):
            commune = await make_unit(session, f"Xã {p}.{c}", "commune", province)
            units.append(commune)
            for v, count in enumerate(villages):
                village = await make_unit(session, f"Thôn {p}.{c}.{v}", "village", commune)
                units.append(village)
                for i in range(count):
                    name = NAMES[(p + c + v + i) % len(NAMES)]
                    households.append(await make_household(session, village, name, informed=bool(i % 2)))
    return units, households


def expected(principal, units, households, within, q, informed):
    """The rule, in plain Python: the households whose village lies under a grant holding
    households:read, under `within`, matching the filters."""
    paths = {u.id: u.path for u in units}
    reading = [g.unit_path for g in principal.grants if Permission.households_read in PERMISSIONS[g.role]]
    return sorted(
        (h.head_name, str(h.id))
        for h in households
        if any(paths[h.unit_id].startswith(p) for p in reading)
        and (within is None or paths[h.unit_id].startswith(within.path))
        and (informed is None or h.informed == informed)
        and (q is None or fold(q) in h.search_text)
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=tree, held=grants, query=queries)
async def test_the_list_returns_exactly_what_the_scope_allows(connection, shape, held, query):
    async with db.sessions() as session:  # a savepoint: rolled back after each example
        try:
            units, households = await build(session, shape)
            grants_ = tuple(
                Grant(role, None, "")
                if role is Role.admin
                else Grant(role, units[i % len(units)].id, units[i % len(units)].path)
                for role, i in held
            )
            principal = Principal(grants_[0].unit_id or units[0].id, "p", grants_)
            at, q, informed = query
            within = units[at % len(units)] if at is not None else None
            try:
                page = await service.list_households(
                    session,
                    principal,
                    unit_id=within.id if within else None,
                    q=q,
                    filters={"informed": informed},
                    limit=500,
                    offset=0,
                )
            except AppError as exc:  # 403 without the right anywhere; 404 for a unit out of sight
                if principal.can(Permission.households_read):
                    assert exc.status == 404 and within is not None and not principal.sees(within.path)
                else:
                    assert exc.status == 403
                return
            got = sorted((h["head_name"], str(h["id"])) for h in page["items"])
            assert got == expected(principal, units, households, within, q, informed)
            assert page["total"] == len(got)
            if session.bind.dialect.name == "postgresql":
                await assert_same_rows(session, principal, within, q, informed)
        finally:
            await session.rollback()


async def assert_same_rows(session, principal, within, q, informed):
    """The driver and SQLAlchemy, given the same statements (the list's templates, and the same list
    with its values written in by the scope and search filters), return the same rows."""
    from app.authz.scope import scope_of
    from app.core.search import like_pattern, matches
    from app.records import reads

    at = within.path if within else None
    seen = scope_of(principal, service.HOUSEHOLDS.permissions.read, at)
    filters = {"informed": informed} if informed is not None else {}
    pattern = like_pattern(q)
    params = seen.params() | filters | {"q": pattern, "limit": 500, "offset": 0}
    search = pattern is not None
    count, rows = service._statements(seen.shape, tuple(filters), search, search and seen.depth >= 2, False)
    conditions = [Household.informed == informed] if informed is not None else []
    if (search := matches(q, Household.search_text)) is not None:
        conditions.append(search)
    literal = reads.statements(
        service.HOUSEHOLDS,
        reads.where(principal, service.HOUSEHOLDS, at, conditions),
        service.ORDER,
        500,
        0,
    )
    pg = await driver(session)
    expected = [tuple(r) for r in await session.execute(literal[1])]
    for got in (await pg.fetch(rows, **params), list(await session.execute(rows, params))):
        assert [tuple(r[:-1]) for r in got] == expected  # the list's total last on each row
        assert {r[-1] for r in got} <= {len(expected)}
    assert await pg.fetchval(count, **params) == await session.scalar(literal[0]) == len(expected)
