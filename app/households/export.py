"""A list of households as a workbook: the columns the importer reads (their Vietnamese names), so an
exported list can be corrected and imported again. Every household in it is in the access log."""

import uuid
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.principal import Principal
from app.core import cells
from app.core.fields import printable
from app.households import rules
from app.households.imports.columns import ALIASES, VILLAGE
from app.households.service import HOUSEHOLDS, ORDER
from app.models import Unit
from app.records import export

MAX_ROWS = 50_000
COLUMNS = (
    "code",
    "head_name",
    "address",
    "phone",
    *rules.FACT_FIELDS,
    "last_visit_at",
    "note",
    *rules.CONSENT_FIELDS,
)


async def households_xlsx(
    session: AsyncSession, principal: Principal, unit_id: uuid.UUID | None
) -> tuple[bytes, str]:
    """The households of the caller's area (under `unit_id`), `MAX_ROWS` at most, and the file's name."""
    file = f"ho-gia-dinh-{unit_id or 'tat-ca'}-{datetime.now(UTC):%Y%m%d}.xlsx"
    rows = await export(
        session,
        principal,
        HOUSEHOLDS,
        unit_id=unit_id,
        filters=[],
        order=ORDER,
        most=MAX_ROWS,
        file=file,
    )
    codes = dict(
        (
            await session.execute(select(Unit.id, Unit.code).where(Unit.id.in_({r.unit_id for r in rows})))
        ).all()
    )
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Hộ gia đình")
    sheet.append(["STT", ALIASES[VILLAGE][0], *(ALIASES[name][0] for name in COLUMNS)])
    for number, row in enumerate(rows, start=1):
        values = [number, codes.get(row.unit_id), *(_cell(getattr(row, name)) for name in COLUMNS)]
        sheet.append(cells.row(sheet, values))
    return cells.save(book), file


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "x" if value else None
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    return value
