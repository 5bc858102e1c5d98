"""Vietnamese name lists sort by given name, then middle name, then family name, in Vietnamese
alphabetical order (ă after a, đ after d; a word's tone after its letters)."""

from app.core.text import name_key

ORDER = [
    "Lý An",
    "Nguyễn Văn An",
    "Nguyễn Văn Àn",
    "Hồ Văn Án",
    "Ngô Bảo Anh",
    "Phạm Anh",
    "Mai Văn Anh",
    "Lê Thị Ánh",
    "Trần Văn Ăn",
    "Nguyễn Thị Ân",
    "ĐẶNG VĂN ÂU",
    "Vũ Văn Dũng",
    "Trần Duy",
    "Đỗ Thị Đào",
    "Đào Đức",
    "Phan Thị Ơn",
    "Lê Văn Ước",
]


def test_names_sort_as_vietnamese_lists_do():
    assert sorted(reversed(ORDER), key=name_key) == ORDER


def test_the_key_is_plain_ascii_digits_so_any_collation_orders_it_bytewise():
    key = name_key("Nguyễn Thị Ánh Tuyết")
    assert key.isascii() and key.isdigit()
    assert name_key("nguyễn thị ánh tuyết") == key == name_key("  Nguyễn   Thị Ánh Tuyết ")
    assert name_key("Bùi Công An") == name_key("An") + name_key("Công") + name_key("Bùi")
    assert name_key("An") == "102700" and name_key("") == ""


async def test_the_household_list_follows_it(client, world):
    """Households written through the API (the import has its own test) list in that order."""
    from app.authz.permissions import Role

    leader = world.auth(Role.team_leader)
    for name in reversed(ORDER):
        body = {"unit_id": str(world.v11.id), "head_name": name}
        assert (await client.post("/api/v1/households", json=body, headers=leader)).status_code == 201
    renamed = await client.post("/api/v1/households", json=body | {"head_name": "Zô Văn Zê"}, headers=leader)
    await client.patch(
        f"/api/v1/households/{renamed.json()['id']}", json={"head_name": "Ai An"}, headers=leader
    )
    response = await client.get(
        "/api/v1/households",
        params={"unit_id": str(world.v11.id), "limit": 100},
        headers=world.auth(Role.team_leader),
    )
    assert [h["head_name"] for h in response.json()["items"]] == ["Ai An", *ORDER]  # a rename moves it


async def test_a_commune_s_pages_are_its_villages_lists_merged_in_that_order(client, world, session):
    """A commune's list takes each village's first ids in order and merges them (on PostgreSQL, one
    LATERAL per village): page after page it is the whole list, ties between villages by id."""
    from app.authz.permissions import Role
    from app.kpi import aggregates
    from tests.world import make_household

    names = [*ORDER, "Nguyễn Văn An", "Lý An"]  # the same name in both villages
    made = []
    for i, name in enumerate(names):
        made.append(await make_household(session, world.v11 if i % 3 else world.v12, name))
    gone = await make_household(session, world.v12, "A Gone")
    gone.deleted_at = gone.updated_at
    await aggregates.household_ended(session, gone.id, gone.deleted_at)  # as a delete does
    await session.commit()
    expected = [h.id for h in sorted(made, key=lambda h: (h.sort_key, str(h.id)))]

    officer = world.auth(Role.commune_officer)
    seen = []
    for offset in range(0, len(names) + 3, 4):
        response = await client.get(
            "/api/v1/households",
            params={"unit_id": str(world.c1.id), "limit": 4, "offset": offset},
            headers=officer,
        )
        assert response.status_code == 200, response.text
        assert response.json()["total"] == len(names)
        seen += [h["id"] for h in response.json()["items"]]
    assert seen == [str(i) for i in expected]
