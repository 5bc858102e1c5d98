"""Issue 21, item 4: text that cannot spoof a reader. Bidirectional controls (which reorder what
follows them) and zero-width characters (which make a name look empty, or like another) are refused by
the one text type in every request field; invisible characters at the edges are dropped; a value that
is not empty must draw a visible character. Stored text that predates the rule is cleaned on its way
out (`printable`)."""

import pytest
from pydantic import ValidationError

from app.authz.permissions import Role
from app.core.fields import printable
from tests.roster import make_team
from tests.test_hardening_text import request_text_fields

BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200f"]
ZERO_WIDTH = ["\u200b", "\ufeff", "\u2060", "\u00ad"]
# Secrets the caller types and the server never shows: not free text.
SECRETS = {"password", "new_password", "current_password"}


def test_every_free_text_field_refuses_bidi_controls_and_hidden_characters(app):
    accepted = []
    fields = [f for f in request_text_fields(app) if f[1] not in SECRETS]
    assert ("create_household", "head_name") in {(op, name) for op, name, *_ in fields}
    for operation, name, adapter, multi_line, in_array in fields:
        bad = [f"An{c}h" for c in BIDI + ZERO_WIDTH] + [f"{c}An" for c in BIDI] + ["\u3164", "\u2800"]
        if not multi_line:
            bad.append("An\u200dh")  # a joiner only inside a multi-line note (emoji)
        for value in bad:
            try:
                adapter.validate_python([value] if in_array else value)
            except ValidationError:
                continue
            accepted.append(f"{operation}.{name} accepts {value!r}")
    assert accepted == []


def test_invisible_characters_at_the_edges_are_dropped_and_a_blank_name_refused(app):
    from pydantic import TypeAdapter

    from app.core.fields import LongText, Name

    name = TypeAdapter(Name)
    assert name.validate_python("\ufeff Nguyễn Văn An\u200b ") == "Nguyễn Văn An"
    for blank in ("\u200b", "\ufeff", " \u200b\ufeff ", "\u3164", "\u0301", "\u2800\u3164"):
        with pytest.raises(ValidationError):
            name.validate_python(blank)
    note = TypeAdapter(LongText)
    assert note.validate_python("Gia đình 👨\u200d👩\u200d👧 ở xóm\n") == "Gia đình 👨\u200d👩\u200d👧 ở xóm"


SPOOFS = ["\u202eAn Văn Nguyễn", "Nguyễn\u2066 Văn An", "\u200b", "\ufeff", "Nguyễn\u200bAn", "\u3164"]


@pytest.mark.parametrize("value", SPOOFS)
async def test_households_members_units_and_keys_refuse_a_spoofing_name(client, world, session, value):
    team = await make_team(session, world.v11, "Tổ Đình")
    await session.commit()
    headers = world.auth(Role.admin)
    posts = {
        "/api/v1/households": ({"unit_id": str(world.v11.id), "head_name": value}, "head_name"),
        "/api/v1/members": (
            {"team_id": str(team.id), "full_name": value, "joined_on": "2025-04-01"},
            "full_name",
        ),
        "/api/v1/units": (
            {"code": "NEW-V", "name": value, "level": "village", "parent_id": str(world.c1.id)},
            "name",
        ),
        "/api/v1/api-keys": ({"unit_id": str(world.c1.id), "name": value}, "name"),
        "/api/v1/teams": ({"unit_id": str(world.v12.id), "name": value}, "name"),
        "/api/v1/users": (
            {"username": "mai.tran", "full_name": value, "password": "a-long-password", "roles": []},
            "full_name",
        ),
    }
    for url, (body, field) in posts.items():
        response = await client.post(url, json=body, headers=headers)
        assert response.status_code == 422, (url, value, response.text)
        assert ["body", field] in [e["loc"] for e in response.json()["errors"]], (url, response.json())


async def test_a_name_pasted_with_a_byte_order_mark_is_kept_without_it(client, world):
    body = {"unit_id": str(world.v11.id), "head_name": "\ufeffTrần Văn Đức\u200b"}
    response = await client.post("/api/v1/households", json=body, headers=world.auth(Role.team_leader))
    assert response.status_code == 201, response.text
    assert response.json()["head_name"] == "Trần Văn Đức"


def test_stored_spoofing_text_is_cleaned_on_its_way_out():
    assert printable("\u202eAn\u200b Văn\u2066") == "An Văn"
    assert printable("dòng\u202e 1\ncon 👨\u200d👩", multiline=True) == "dòng 1\ncon 👨\u200d👩"
