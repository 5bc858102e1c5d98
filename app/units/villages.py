"""A commune's villages from a list: the CSV a commune keeps (`Tên thôn` and optionally `Mã`).

Villages are local, so this is how a commune sets up its own. All or nothing: a bad row (empty
name, a name too long, a code used twice) refuses the whole list with every bad line. A village the
commune already has (same name, accent- and case-insensitively) is left as it is, so importing the
same list twice creates nothing the second time.
"""

import csv
import io
import uuid
from typing import BinaryIO

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record
from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import get_unit_in_scope
from app.core.errors import Invalid
from app.core.ids import uuid7
from app.core.text import fold
from app.models import Unit
from app.models.base import utcnow
from app.models.unit import valid_on
from app.records.closed import ensure_open
from app.units.history import today
from app.units.schemas import UnitRead, VillageImport

MAX_ROWS = 2000
NAME_COLUMNS = {
    "ten thon",
    "thon",
    "ten",
    "ten thon to dan pho",
    "to dan pho",
    "thon to dan pho",
    "ap",
    "name",
}
CODE_COLUMNS = {"ma", "ma thon", "code"}


def _header(cell: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in fold(cell)).split())


def read_rows(stream: BinaryIO) -> list[tuple[int, str, str | None]]:
    """(line, name, code) of each non-empty row; a header row, when there is one, names the columns."""
    try:
        text = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid("The list must be a UTF-8 CSV file", loc=["body", "file"]) from None
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:  # one column: nothing to sniff
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as exc:
        raise Invalid(f"The list is not a readable CSV file: {exc}", loc=["body", "file"]) from None
    name_at, code_at, start = 0, None, 0
    if rows:
        header = [_header(c) for c in rows[0]]
        if any(h in NAME_COLUMNS for h in header):
            name_at = next(i for i, h in enumerate(header) if h in NAME_COLUMNS)
            code_at = next((i for i, h in enumerate(header) if h in CODE_COLUMNS), None)
            start = 1
    found = []
    for line, row in enumerate(rows[start:], start=start + 1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        name = cells[name_at] if name_at < len(cells) else ""
        code = cells[code_at] if code_at is not None and code_at < len(cells) and cells[code_at] else None
        found.append((line, name, code))
    if len(found) > MAX_ROWS:
        raise Invalid(f"A list holds at most {MAX_ROWS} villages", loc=["body", "file"])
    return found


async def import_villages(
    session: AsyncSession, principal: Principal, commune_id: uuid.UUID, stream: BinaryIO
) -> VillageImport:
    commune = await get_unit_in_scope(session, principal, commune_id, needs=Permission.units_manage)
    if commune.level != "commune":
        raise Invalid("Villages are imported into a commune", loc=["query", "parent_id"])
    await ensure_open(session, commune, loc=["query", "parent_id"])  # 409 naming its successor
    rows = read_rows(stream)
    existing = {
        u.name_folded: u
        for u in await session.scalars(
            select(Unit).where(Unit.parent_id == commune.id, Unit.level == "village", valid_on(today()))
        )
    }
    taken = {c.lower() for c in await session.scalars(select(Unit.code).where(Unit.level == "village"))}
    errors, new, kept, seen = [], [], [], set()
    for line, name, code in rows:
        folded = fold(name)
        if not name or len(name) > 200 or "\x00" in name:
            errors.append(
                {"loc": ["file", line, "name"], "msg": "a village needs a name of 1–200 characters"}
            )
        elif folded in existing:
            kept.append(existing[folded])
        elif folded in seen:
            errors.append({"loc": ["file", line, "name"], "msg": f"{name} is listed twice"})
        elif code is not None and (len(code) > 50 or code.lower() in taken):
            errors.append(
                {"loc": ["file", line, "code"], "msg": f"the village code {code!r} is already used"}
            )
        else:
            seen.add(folded)
            if code is not None:
                taken.add(code.lower())
            new.append((name, code))
    if errors:
        raise Invalid(
            f"{len(errors)} rows of the list are invalid: nothing was imported", errors=errors[:100]
        )

    rows_written, now = [], utcnow()
    number = await session.scalar(select(func.count()).select_from(Unit).where(Unit.parent_id == commune.id))
    for name, code in new:
        while code is None:  # none given: the commune's code and the next free number
            number += 1
            candidate = f"{commune.code}-{number:02d}"
            code = None if candidate.lower() in taken else candidate
        taken.add(code.lower())
        unit_id = uuid7()
        rows_written.append(
            {
                "id": unit_id,
                "code": code,
                "name": name,
                "name_folded": fold(name),
                "level": "village",
                "parent_id": commune.id,
                "path": f"{commune.path}{unit_id.hex}/",
                "valid_from": None,
                "valid_to": None,
                "merged_into_id": None,
                "official": False,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    if rows_written:
        await session.execute(insert(Unit.__table__), rows_written)
    created = [UnitRead.model_validate(r) for r in rows_written]
    await record(
        session,
        principal,
        "import",
        "unit",
        commune.id,
        unit_id=commune.id,
        after={"created": len(created), "existing": len(kept)},
    )
    return VillageImport(created=created, existing=[UnitRead.model_validate(u) for u in kept])
