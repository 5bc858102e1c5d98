"""`?q=`: one search filter, accent-insensitive, with LIKE's wildcards taken literally on both databases.

Before it, `?q=%` or `?q=_` matched every record in scope."""

import pytest

from app.authz.permissions import Role
from tests.world import PASSWORD, make_household, make_user


@pytest.fixture
async def households(session, world):
    for name, code, address in (
        ("Nguyễn Văn An", "A-1", "Số 5, xóm Đình"),
        ("Trần Thị Bình", "B_2", "Ngõ 10%"),
        ("Lê Văn Cường", "C\\3", "Hẻm 3"),
    ):
        await make_household(session, world.v11, name, code=code, address=address)
    await session.commit()


@pytest.mark.parametrize(
    "q,found",
    [
        ("%", ["Trần Thị Bình"]),  # only the address that holds a %
        ("_", ["Trần Thị Bình"]),  # only the code that holds an _
        ("\\", ["Lê Văn Cường"]),
        ("b_2", ["Trần Thị Bình"]),
        ("nguyen", ["Nguyễn Văn An"]),
        ("CƯỜNG", ["Lê Văn Cường"]),
        ("xom dinh", ["Nguyễn Văn An"]),  # the address is searched too
        ("a%1", []),
    ],
)
async def test_household_search_is_literal(client, world, households, q, found):
    response = await client.get("/api/v1/households", params={"q": q}, headers=world.auth(Role.team_leader))
    assert response.status_code == 200
    assert [h["head_name"] for h in response.json()["items"]] == found
    assert response.json()["total"] == len(found)


@pytest.fixture
async def users(session, world):
    from app.core.security import hash_password

    password = await hash_password(PASSWORD)
    await make_user(session, "an_ninh", Role.team_member, world.v11, password)
    await make_user(session, "anxninh", Role.team_member, world.v11, password, full_name="Phạm Đức Mạnh")
    await session.commit()


@pytest.mark.parametrize(
    "q,found",
    [("%", []), ("_", ["an_ninh"]), ("an_", ["an_ninh"]), ("n_n", ["an_ninh"]), ("duc manh", ["anxninh"])],
)
async def test_user_search_is_literal(client, world, users, q, found):
    response = await client.get("/api/v1/users", params={"q": q}, headers=world.auth(Role.admin))
    assert response.status_code == 200
    assert sorted(u["username"] for u in response.json()["items"]) == found
