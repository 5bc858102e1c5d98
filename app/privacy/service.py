"""A data subject's requests (everything held about a household; erasure), the access log as admins
and officers read it, and retention (`purge-personal-data`)."""

import contextlib
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from openpyxl import Workbook
from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record as audit
from app.authz.permissions import Permission as P
from app.authz.principal import Principal
from app.authz.scope import in_scope, list_scope
from app.core import cells
from app.core.config import get_settings
from app.core.db import session_scope
from app.core.fields import printable
from app.households.service import HOUSEHOLDS, derived
from app.idempotency import store
from app.kpi import document
from app.members.service import MEMBERS
from app.models import AccessLog, Activity, AuditLog
from app.privacy import access
from app.privacy.schemas import AccessList, AccessRead, PersonalChange, PersonalData, VisitRead
from app.records import Write, change, fetch

# Each resource with personal data, by its name in the audit log: its personal fields and what stands
# in their place once erased or past retention. Users are no synced record: their phone only. An
# activity's note is free text that may name the household it helped (its name, its phone): erased
# with the household, and out of audit snapshots past retention like a visit note.
PERSONAL: dict[str, dict[str, Any]] = {
    HOUSEHOLDS.name: HOUSEHOLDS.personal,
    MEMBERS.name: MEMBERS.personal,
    "user": {"phone": None},
    "activity": {"note": None},
}
BATCH = 1000


# --- the access log ---------------------------------------------------------------------------------


async def list_access(
    session: AsyncSession,
    principal: Principal,
    *,
    record_id: uuid.UUID | None,
    user_id: uuid.UUID | None,
    unit_id: uuid.UUID | None,
    since: datetime | None,
    limit: int,
    offset: int,
) -> AccessList:
    """Entries filed under the caller's area (admins: all), newest first. `record_id` finds a record's
    reads by id and export and the pages that returned it; `user_id` a caller's (a user's or an API
    key's id)."""
    within = await list_scope(session, principal, P.audit_read, unit_id)
    with contextlib.suppress(Exception):  # logged by flush; the entries wait for the next one
        await access.flush()  # what this process noted and has not written yet
    where = [in_scope(AccessLog.unit_id, principal, within, P.audit_read)]
    if record_id is not None:
        text = str(record_id)
        where.append(or_(AccessLog.record_id == text, AccessLog.record_ids.contains(text, autoescape=True)))
    if user_id is not None:
        where.append(AccessLog.actor_id == user_id)
    if since is not None:
        where.append(AccessLog.last_at >= since)
    total = await session.scalar(select(func.count()).select_from(AccessLog).where(*where))
    query = select(AccessLog).where(*where).order_by(AccessLog.last_at.desc(), AccessLog.id.desc())
    rows = await session.scalars(query.limit(limit).offset(offset))
    items = [AccessRead.model_validate(row) for row in rows]
    return AccessList(items=items, total=total or 0, limit=limit, offset=offset)


# --- a data subject's requests ------------------------------------------------------------------------


async def personal_data(
    session: AsyncSession, principal: Principal, household_id: uuid.UUID, *, file: str | None = None
) -> PersonalData:
    """Everything held about a household: the record, the history of its personal fields, the support
    recorded for it and who read its personal data. 404 outside the caller's area. Audited, and noted
    in the access log (with `file` when it is exported)."""
    obj, unit = await fetch(
        session, principal, HOUSEHOLDS, household_id, P.personal_data_manage, deleted=True
    )
    (household,) = await HOUSEHOLDS.present(session, [obj])
    fields = HOUSEHOLDS.personal.keys()
    entries = await session.scalars(
        select(AuditLog)
        .where(AuditLog.resource == HOUSEHOLDS.name, AuditLog.resource_id == str(household_id))
        .order_by(AuditLog.at, AuditLog.id)
    )
    history = []
    for entry in entries:
        before = _only(entry.before, fields)
        after = _only(entry.after, fields)
        if before != after:
            history.append(
                PersonalChange(
                    at=entry.at, actor_name=entry.actor_name, action=entry.action, before=before, after=after
                )
            )
    activities = await session.execute(
        select(Activity.id, Activity.occurred_at, Activity.kind, Activity.people_count, Activity.note)
        .where(Activity.household_id == household_id, Activity.deleted_at.is_(None))
        .order_by(Activity.occurred_at)
    )
    with contextlib.suppress(Exception):
        await access.flush()
    reads = await session.scalars(
        select(AccessLog)
        .where(
            or_(
                AccessLog.record_id == str(household_id),
                AccessLog.record_ids.contains(str(household_id), autoescape=True),
            )
        )
        .order_by(AccessLog.last_at.desc())
        .limit(500)
    )
    data = PersonalData(
        household=household,
        history=history,
        activities=[VisitRead.model_validate(row, from_attributes=True) for row in activities],
        access=[AccessRead.model_validate(row) for row in reads],
    )
    access.record(principal, HOUSEHOLDS.name, household_id, unit.id, file=file)
    # The request's session only reads (GET): the audit row has a transaction of its own.
    async with session_scope() as own:
        await audit(own, principal, "personal_data", HOUSEHOLDS.name, household_id, unit_id=unit.id)
    return data


def _only(snapshot: dict[str, Any] | None, fields) -> dict[str, Any] | None:
    return None if snapshot is None else {name: snapshot.get(name) for name in fields}


def personal_data_xlsx(data: PersonalData, day: date) -> bytes:
    """The data subject's copy, to print: the record, then the history and the reads."""
    h = data.household
    book = Workbook()
    sheet = book.active
    sheet.title = "Dữ liệu cá nhân"
    width = 4
    document.title(
        sheet,
        width,
        "THÔNG TIN CÁ NHÂN CỦA HỘ GIA ĐÌNH",
        f"(Luật Bảo vệ dữ liệu cá nhân; ngày {day:%d/%m/%Y})",
    )
    sheet.append([None])
    rows = [
        ("Mã hộ", h.code),
        ("Họ tên chủ hộ", h.head_name),
        ("Số điện thoại", h.phone),
        ("Địa chỉ", h.address),
        ("Số nhân khẩu", h.members_count),
        ("Số người trưởng thành", h.adults_count),
        ("Ngày đồng ý", h.consent_on.isoformat() if h.consent_on else None),
        ("Người lấy ý kiến", h.consent_by),
        ("Ghi chú", h.note),
    ]
    for label, value in rows:
        sheet.append([label, printable(value) if isinstance(value, str) else value])
        sheet.cell(sheet.max_row, 1).font = document.BOLD
    sheet.append([None])
    sheet.append(["Lịch sử thay đổi", "Thời điểm", "Người thực hiện", "Sau thay đổi"])
    for change_ in data.history:
        after = ", ".join(f"{k}: {v}" for k, v in (change_.after or {}).items() if v)
        sheet.append(
            [change_.action, change_.at.isoformat(), printable(change_.actor_name), printable(after)]
        )
    sheet.append([None])
    sheet.append(["Truy cập dữ liệu", "Ngày", "Người truy cập", "Số lần"])
    for read in data.access:
        sheet.append([read.route, read.day.isoformat(), printable(read.actor_name), read.count])
    for column, size in zip("ABCD", (26, 28, 28, 40), strict=True):
        sheet.column_dimensions[column].width = size
    document.print_setup(sheet)
    return cells.save(book)


async def erase(session: AsyncSession, principal: Principal, household_id: uuid.UUID):
    """Erase a household's personal data everywhere it lives (README, "Personal data"):
    - the record: a neutral head name, no phone, no address, no visit note (search text and sort key
      follow); its audit snapshots (the visit notes' history is read from them);
    - the support recorded for it: each activity's note (free text naming the household), and the
      notes in the activities' audit snapshots;
    - the stored responses to replay (`Idempotency-Key`) that show the record or those activities;
    - the access log's search text (entries written before it stopped keeping it).
    The counts stay, so no indicator changes; versions move, so phones take the erased household and
    notes on their next sync. A deleted household is erased too (its tombstone still held them).
    Idempotent; audited; 404 outside the caller's area. Only `consent_by` stays: the name of who
    collected the consent, a team member's, not the household's."""
    obj, unit = await fetch(
        session, principal, HOUSEHOLDS, household_id, P.personal_data_manage, lock=True, deleted=True
    )
    (before,) = await HOUSEHOLDS.present(session, [obj])
    values = before.model_dump() | HOUSEHOLDS.personal
    erased = dict(HOUSEHOLDS.personal) | derived(values)
    if obj.deleted_at is None:
        w = Write(
            session, principal, HOUSEHOLDS, changes={}, unit=unit, obj=obj, before=before, values=values
        )
        after = await change(w, erased)
    else:  # a tombstone: phones dropped it already and it counts nowhere; only its fields go
        for name, value in erased.items():
            setattr(obj, name, value)
        (after,) = await HOUSEHOLDS.present(session, [obj])
    await session.flush()
    blanks = {str(household_id): PERSONAL[HOUSEHOLDS.name]}
    await scrub_audit(session, HOUSEHOLDS.name, str(household_id))
    for activity in await session.scalars(
        select(Activity).where(Activity.household_id == household_id).with_for_update()
    ):
        if activity.note is not None:
            activity.note = None
            if activity.deleted_at is None:
                activity.touch()
        await scrub_audit(session, "activity", str(activity.id))
        blanks[str(activity.id)] = PERSONAL["activity"]
    await session.flush()
    for record_id in blanks:
        await store.scrub(session, record_id.encode(), lambda body: _scrub_json(body, blanks))
    await access.redact_search_text(session)
    await audit(session, principal, "erase", HOUSEHOLDS.name, household_id, unit_id=unit.id)
    return after


def _scrub_json(body: bytes, blanks: dict[str, dict[str, Any]]) -> bytes | None:
    """A stored response without the personal fields of the records it shows (`blanks`: by record id,
    each field and what stands in its place). None: not JSON, delete it."""
    try:
        data = json.loads(body)
    except ValueError:
        return None

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            if (fields := blanks.get(value.get("id"))) is not None:
                value = value | {k: v for k, v in fields.items() if k in value}
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return json.dumps(walk(data), ensure_ascii=False, separators=(",", ":")).encode()


def _scrubbed(snapshot: dict[str, Any] | None, blanks: dict[str, Any]) -> dict[str, Any] | None:
    """A snapshot without its personal fields; None when there is nothing to change."""
    if not snapshot or all(snapshot.get(k, v) == v for k, v in blanks.items()):
        return None
    return snapshot | {k: v for k, v in blanks.items() if k in snapshot}


async def scrub_audit(
    session: AsyncSession, resource: str, resource_id: str | None = None, before: datetime | None = None
) -> int:
    """Remove personal fields from the audit snapshots of one record (`resource_id`) or of every
    record of `resource` written before `before`; returns how many rows changed (0 when run again)."""
    blanks = PERSONAL[resource]
    query = select(AuditLog).where(AuditLog.resource == resource).order_by(AuditLog.id)
    if resource_id is not None:
        query = query.where(AuditLog.resource_id == resource_id)
    if before is not None:
        query = query.where(AuditLog.at < before)
    changed, last = 0, None
    while True:
        page = query if last is None else query.where(AuditLog.id > last)
        rows = list(await session.scalars(page.limit(BATCH)))
        if not rows:
            return changed
        for row in rows:
            old, new = _scrubbed(row.before, blanks), _scrubbed(row.after, blanks)
            if old is not None:
                row.before = old
            if new is not None:
                row.after = new
            changed += old is not None or new is not None
        await session.flush()
        last = rows[-1].id


# --- retention ----------------------------------------------------------------------------------------


async def purge(session: AsyncSession, now: datetime | None = None) -> dict[str, int]:
    """Enforce retention: personal fields leave audit snapshots older than `personal_audit_days`,
    access-log entries older than `access_log_days` are deleted. Idempotent (cron, daily)."""
    settings, now = get_settings(), now or datetime.now(UTC)
    cutoff = now - timedelta(days=settings.personal_audit_days)
    scrubbed = 0
    for resource in PERSONAL:
        scrubbed += await scrub_audit(session, resource, before=cutoff)
    old = (now - timedelta(days=settings.access_log_days)).date()
    result = await session.execute(delete(AccessLog).where(AccessLog.day < old))
    redacted = await access.redact_search_text(session)
    return {
        "audit snapshots scrubbed": scrubbed,
        "access-log entries deleted": result.rowcount or 0,
        "access-log search texts removed": redacted,
    }
