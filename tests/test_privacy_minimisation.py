"""Minimisation (issue 13): a viewer and a read-only integration key never receive personal fields
(household head name, phone, address; members' and users' phones) from any route, export, change feed
or error body. Every route of the authorization matrix is called as both, in and out of scope."""

import io
import uuid
import zipfile

import pytest
from sqlalchemy import update

from app.authz.permissions import Role
from app.models import Household, Member, User
from tests.test_authz_matrix import PATH_PARAMETERS, TABLE, _records, unlimited  # noqa: F401
from tests.world import make_api_key

NAME, PHONE, ADDRESS = "Đỗ Thị Bảo Mật", "0961 111 222", "Ngõ Riêng Tư"
MEMBER_PHONE, USER_PHONE = "0962 333 444", "0963 555 666"
SECRETS = (NAME, PHONE, ADDRESS, MEMBER_PHONE, USER_PHONE)
FEEDS = ("/api/v1/households", "/api/v1/members", "/api/v1/teams", "/api/v1/activities")


def text_of(response) -> str:
    """The body as text; a workbook's cells (its XML parts unzipped)."""
    if response.content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(response.content)) as book:
            return "".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    return response.text


async def _personal(session, t) -> None:
    await session.execute(
        update(Household)
        .where(Household.id == uuid.UUID(t.household_id))
        .values(head_name=NAME, phone=PHONE, address=ADDRESS)
    )
    member = uuid.UUID(t.member_id)
    await session.execute(update(Member).where(Member.id == member).values(phone=MEMBER_PHONE))
    await session.execute(update(User).where(User.id == uuid.UUID(t.user_id)).values(phone=USER_PHONE))


@pytest.mark.usefixtures("unlimited")
async def test_viewers_and_read_only_keys_receive_no_personal_data(client, world, session, connection):
    targets = {
        "in": await _records(session, world, world.v11, world.c1, "trong"),
        "out": await _records(session, world, world.v31, world.c3, "ngoai"),
    }
    for t in targets.values():
        await _personal(session, t)
    _, read_only = await make_api_key(session, world.c1, "chỉ đọc", read_only=True)
    await session.commit()
    callers = {"viewer": world.auth(Role.viewer), "read-only key": {"X-API-Key": read_only}}

    requests = []
    for (method, template), spec in TABLE.items():
        for t in targets.values():
            path = template
            for name in PATH_PARAMETERS:
                path = path.replace(f"{{{name}}}", getattr(t, spec.ids.get(name, name)))
            requests.append(
                (
                    method,
                    path,
                    spec.query(t) if spec.query else None,
                    spec.body(t) if spec.body else None,
                    spec.files(t) if spec.files else None,
                )
            )
    for t in targets.values():
        for feed in FEEDS:
            requests.append(("GET", feed, {"updated_since": "2000-01-01T00:00:00Z"}, None, None))
        # A create replayed with the household's own id: the replay compares nothing it may not read.
        body = {"id": t.household_id, "unit_id": t.unit, "head_name": "Khác"}
        requests.append(("POST", "/api/v1/households", None, body, None))

    leaks = []
    for caller, headers in callers.items():
        for method, path, params, body, files in requests:
            savepoint = await connection.begin_nested()
            try:
                response = await client.request(
                    method, path, params=params, json=body, files=files, headers=headers
                )
            finally:
                await savepoint.rollback()
            found = [secret for secret in SECRETS if secret in text_of(response)]
            if found:
                leaks.append(f"{caller}: {method} {path} {response.status_code} shows {found}")
    assert leaks == []


async def test_a_read_write_key_reads_member_phones_and_a_read_only_one_does_not(client, world, session):
    from tests.roster import make_member, make_team

    member = await make_member(session, await make_team(session, world.v11, "Tổ Đình"), phone=MEMBER_PHONE)
    _, read_write = await make_api_key(session, world.c1, "đọc ghi")
    _, read_only = await make_api_key(session, world.c1, "chỉ đọc", read_only=True)
    await session.commit()
    url = f"/api/v1/members/{member.id}"
    assert (await client.get(url, headers={"X-API-Key": read_write})).json()["phone"] == MEMBER_PHONE
    withheld = await client.get(url, headers={"X-API-Key": read_only})
    assert (withheld.status_code, withheld.json()["phone"]) == (200, None)
    page = await client.get("/api/v1/members", headers={"X-API-Key": read_only})
    assert [m["phone"] for m in page.json()["items"]] == [None]
