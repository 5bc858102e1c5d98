"""Issue 21, item 2: erasure leaves nothing behind. After `POST /households/{id}/erase`, a search of the
whole database (every column of every table, as text) finds neither the erased name nor the phone, in
any spelling the server may have written them in: the record, its audit rows, its visit notes, the
notes of the support recorded for it (activities), their audit rows and stored idempotent replies, and
the access log (which notes what was read, never the search text)."""

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, quote_plus

from sqlalchemy import select
from sqlmodel import SQLModel

from app.authz.permissions import Role
from app.core.text import fold
from app.models import AccessLog
from app.privacy import access

NAME, PHONE = "Hoàng Thị Xoan", "0987 654 321"
DIGITS = "0987654321"


def spellings() -> set[str]:
    """Every way the name and phone may be stored: as typed, folded for search, escaped in JSON,
    encoded in a query string."""
    found = {NAME, PHONE, DIGITS, fold(NAME)}
    for value in (NAME, PHONE):
        found |= {json.dumps(value)[1:-1], quote_plus(value), quote(value)}
    return found


async def everything(session) -> str:
    """The whole database as text: every value of every column of every table."""
    parts = []
    for table in SQLModel.metadata.sorted_tables:
        for row in (await session.execute(select(table))).all():
            for value in row:
                if isinstance(value, bytes):
                    parts.append(value.decode("utf-8", "replace"))
                elif isinstance(value, dict | list):
                    parts.append(json.dumps(value, ensure_ascii=False))
                    parts.append(json.dumps(value))
                elif value is not None:
                    parts.append(str(value))
    return "\n".join(parts)


def found_in(text: str) -> list[str]:
    return sorted(s for s in spellings() if s in text)


async def test_erasure_leaves_the_name_and_phone_nowhere(client, world, session):
    leader = world.auth(Role.team_leader)
    officer = world.auth(Role.commune_officer)
    body = {"unit_id": str(world.v11.id), "head_name": NAME, "phone": PHONE, "address": "Xóm Xoan"}
    body |= {"note": f"Gọi chị {NAME} theo số {PHONE}", "members_count": 3, "adults_count": 2}
    created = await client.post(
        "/api/v1/households", json=body, headers=leader | {"Idempotency-Key": "erase-me-1"}
    )
    assert created.status_code == 201, created.text
    household = created.json()["id"]
    url = f"/api/v1/households/{household}"
    visit = {"note": f"Đã gặp {NAME}, số {PHONE}", "adults_smartphone": 1}
    assert (await client.patch(url, json=visit, headers=leader)).status_code == 200
    # Searches that found it (the access log notes the pages), reads and an export.
    for q in (DIGITS, NAME, fold(NAME)):
        page = await client.get("/api/v1/households", params={"q": q}, headers=leader)
        assert [h["id"] for h in page.json()["items"]] == [household], q
    assert (await client.get(url, headers=officer)).status_code == 200
    assert (await client.get("/api/v1/households/export.xlsx", headers=officer)).status_code == 200
    assert (await client.get(f"{url}/personal-data", headers=officer)).status_code == 200
    # Support recorded for the household, its note naming them, sent with an Idempotency-Key, then edited.
    moment = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    activity_body = {"unit_id": str(world.v11.id), "household_id": household, "occurred_at": moment}
    activity_body |= {"kind": "vneid_activation", "note": f"Cài VNeID cho {NAME} ({PHONE})"}
    activity = await client.post(
        "/api/v1/activities", json=activity_body, headers=leader | {"Idempotency-Key": "erase-me-2"}
    )
    assert activity.status_code == 201, activity.text
    activity_url = f"/api/v1/activities/{activity.json()['id']}"
    edited = {"note": f"Cài VNeID và DVC cho {NAME}, gọi {DIGITS}"}
    assert (await client.patch(activity_url, json=edited, headers=leader)).status_code == 200
    await access.flush()
    assert found_in(await everything(session)) != []  # the search sees them before

    erased = await client.post(f"{url}/erase", headers=officer)
    assert erased.status_code == 200, erased.text
    await access.flush()
    session.expire_all()
    assert found_in(await everything(session)) == []
    # What stays: the counts, the support's counts, and the access log's record of what was read.
    after = (await client.get(url, headers=officer)).json()
    assert (after["members_count"], after["adults_smartphone"], after["phone"]) == (3, 1, None)
    support = (await client.get(activity_url, headers=officer)).json()
    assert (support["kind"], support["people_count"], support["note"]) == ("vneid_activation", 1, None)
    assert support["version"] == 3  # phones take the erased note on their next sync
    reads = await client.get("/api/v1/access-log", params={"record_id": household}, headers=officer)
    # The three searches that found it fold into one entry (same filter, `q=*`, same ids), three times;
    # then the officer's export, personal-data request and two reads (before and after).
    assert sorted(e["count"] for e in reads.json()["items"]) == [1, 1, 2, 3]


async def test_the_access_log_notes_a_search_without_its_text(client, world, session):
    from tests.world import make_household

    household = await make_household(session, world.v11, NAME, phone=PHONE)
    await session.commit()
    leader = world.auth(Role.team_leader)
    page = await client.get("/api/v1/households", params={"q": DIGITS, "informed": "false"}, headers=leader)
    assert [h["id"] for h in page.json()["items"]] == [str(household.id)]
    await access.flush()
    (entry,) = (await session.scalars(select(AccessLog))).all()
    assert entry.record_ids == str(household.id)  # what was read
    assert DIGITS not in (entry.filter or "") and "informed=False" in entry.filter  # not what was typed
    assert "q=" in entry.filter  # that it was a search


async def test_retention_takes_search_text_out_of_older_entries(client, world, session):
    """Entries written before the access log stopped keeping search text lose it on the next purge."""
    from app.core.ids import uuid7
    from app.privacy.service import purge

    now = datetime.now(UTC)
    session.add(
        AccessLog(
            id=uuid7(),
            day=now.date(),
            first_at=now,
            last_at=now,
            actor_id=world.users[Role.team_leader].id,
            actor_name="leader",
            actor_kind="user",
            route="/api/v1/households",
            resource="household",
            record_ids=str(uuid7()),
            filter=f"q={quote_plus(PHONE)}&unit_id=x",
            fold_key="old",
        )  # fmt: skip
    )
    await session.commit()
    await purge(session)
    await session.commit()
    (entry,) = (await session.scalars(select(AccessLog))).all()
    assert entry.filter == "q=%2A&unit_id=x"
