"""Retention of personal data (issue 13): `purge-personal-data` takes personal fields out of audit
snapshots past PERSONAL_AUDIT_DAYS and deletes access-log entries past ACCESS_LOG_DAYS; run twice, the
second run changes nothing."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from typer.testing import CliRunner

from api.cli import cli
from app.core.config import get_settings
from app.models import AccessLog, AuditLog
from app.privacy.service import purge

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)


def household(phone: str) -> dict:
    return {"head_name": "Vũ Văn Cũ", "phone": phone, "address": "Xóm 3", "members_count": 3}


async def test_purge_scrubs_old_snapshots_and_deletes_old_reads(session, monkeypatch):
    monkeypatch.setattr(get_settings(), "personal_audit_days", 365)
    monkeypatch.setattr(get_settings(), "access_log_days", 30)
    old, recent = NOW - timedelta(days=400), NOW - timedelta(days=10)
    rows = {
        "old_household": AuditLog(
            at=old, actor_name="leader", action="update", resource="household", resource_id="h1",
            before=household("0911"), after=household("0922"),
        ),
        "new_household": AuditLog(
            at=recent, actor_name="leader", action="create", resource="household", resource_id="h2",
            after=household("0933"),
        ),
        "old_member": AuditLog(
            at=old, actor_name="leader", action="create", resource="member", resource_id="m1",
            after={"full_name": "Lê Bình", "phone": "0944"},
        ),
        "old_team": AuditLog(
            at=old, actor_name="leader", action="create", resource="team", resource_id="t1",
            after={"name": "Tổ Đình", "phone": "keep"},
        ),
    }  # fmt: skip
    session.add_all(rows.values())
    actor = uuid.uuid4()
    for day, key in ((NOW - timedelta(days=40), "a"), (NOW - timedelta(days=5), "b")):
        session.add(
            AccessLog(
                day=day.date(), first_at=day, last_at=day, actor_id=actor, actor_name="leader",
                actor_kind="user", route="/api/v1/households", resource="household", fold_key=key,
            )
        )  # fmt: skip
    await session.flush()

    counts = await purge(session, now=NOW)
    assert counts == {
        "audit snapshots scrubbed": 2,
        "access-log entries deleted": 1,
        "access-log search texts removed": 0,
    }
    for row in rows.values():
        await session.refresh(row)
    scrubbed = rows["old_household"]
    assert (scrubbed.before["head_name"], scrubbed.before["phone"], scrubbed.before["address"]) == (
        "(đã xoá)",
        None,
        None,
    )
    assert (scrubbed.after["phone"], scrubbed.after["members_count"]) == (None, 3)  # counts stay
    assert rows["new_household"].after["phone"] == "0933"
    assert rows["old_member"].after == {"full_name": "Lê Bình", "phone": None}
    assert rows["old_team"].after["phone"] == "keep"  # not personal data of a resource that has it
    left = await session.scalars(select(AccessLog.fold_key).where(AccessLog.actor_id == actor))
    assert list(left) == ["b"]

    again = {
        "audit snapshots scrubbed": 0,
        "access-log entries deleted": 0,
        "access-log search texts removed": 0,
    }
    assert await purge(session, now=NOW) == again


def test_the_command_is_there():
    result = CliRunner().invoke(cli, ["purge-personal-data", "--help"])
    assert result.exit_code == 0
    assert "ACCESS_LOG_DAYS" in result.output
