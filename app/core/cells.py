"""The one rule for a spreadsheet cell the server writes: text stays text.

A commune officer opens the server's workbooks in Excel. A stored value that begins with `=`, `+`, `-`,
`@`, a tab or a carriage return (a head name `=HYPERLINK("http://…","bấm vào đây")`) must never run
as a formula there (OWASP: CSV/formula injection). openpyxl writes a string that begins with `=` as a
live formula; Excel evaluates the others when the cell is edited. So every such value is written as a
text cell (`t="inlineStr"`, never `<f>`) with Excel's quote prefix (the apostrophe Excel itself puts
before text typed as `'=…`, kept as a style, not in the value): shown as typed, never evaluated, read
back by the importer as the same text. The server writes no formula of its own.

Every workbook leaves through `save(book)`, which applies the rule to every cell of a workbook built in
memory; a write-only workbook (cells streamed, the household list) appends its rows with `row(sheet,
values)`, which applies it to each value, and is saved by `save` too.
"""

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell

# What a spreadsheet takes as the start of a formula (OWASP's list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def _as_text(cell: Cell) -> None:
    """The rule, for one cell: a value that a spreadsheet would read as a formula is text."""
    if cell.data_type == "f" or is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def row(sheet, values: Iterable[Any]) -> list[Any]:
    """`values` ready for `sheet.append` (in a write-only sheet too): a formula-like text as a text cell."""
    cells = []
    for value in values:
        if is_formula_like(value):
            cell = WriteOnlyCell(sheet, value)
            _as_text(cell)
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def save(book: Workbook) -> bytes:
    """The workbook's bytes, every cell of it (unless streamed, see `row`) under the rule."""
    if not book.write_only:
        for sheet in book.worksheets:
            for cell in sheet._cells.values():  # every written cell, in no particular order
                _as_text(cell)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
