"""Rows out of a file: a CSV (UTF-8, with or without BOM; `,`, `;` or tab) or the first sheet of an
XLSX workbook (`workbook`). Rows come one at a time, with their line as the spreadsheet shows it, and
their cells as the checks want them (`workbook.cell`: stripped text, None for an empty cell)."""

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from app.households.imports.columns import HEADER_SEARCH_ROWS
from app.households.imports.errors import unreadable
from app.households.imports.workbook import Workbook


@dataclass
class Table:
    format: str
    rows: Iterator[tuple[int, list]]  # (line as the spreadsheet shows it, cells)
    expected_lines: int | None  # the file's line count (an estimate for CSV), for progress
    close: Callable[[], None] = lambda: None


def open_table(file: BinaryIO, filename: str | None = None) -> Table:
    """The rows of `file`, which must be seekable (an open file or an upload spooled to disk).
    Blocking: call it from a worker thread."""
    head = file.read(8)
    file.seek(0)
    extension = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if head.startswith(b"PK\x03\x04"):
        book = Workbook(file)
        return Table("xlsx", book.rows(), book.expected_lines, book.close)
    if head.startswith(b"\xd0\xcf\x11\xe0") or extension == "xls":
        raise unreadable(
            "Old Excel files (.xls) are not read: save the sheet as .xlsx or CSV UTF-8", "import.file_type"
        )
    if extension in {"xlsx", "xlsm"}:
        raise unreadable("The file is named .xlsx but is not an Excel workbook", "import.file_type")
    if extension and extension not in {"csv", "txt", "tsv"}:
        raise unreadable(f"Unsupported file type .{extension}: send a .csv or .xlsx file", "import.file_type")
    return _open_csv(file)


_NOT_UTF8 = re.compile("[\udc80-\udcff]")


def _open_csv(file: BinaryIO) -> Table:
    sample = file.read(64 * 1024)
    # One pass over the bytes first: the lines (for progress) and whether all of it is UTF-8.
    utf8, lines = codecs.getincrementaldecoder("utf-8")(), 0
    sound = True
    for chunk in (sample, *iter(lambda: file.read(1 << 20), b"")):
        lines += chunk.count(b"\n")
        if sound:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                sound = False
    file.seek(0)
    text = sample.decode("utf-8", errors="ignore")
    first_lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    delimiter = max((",", ";", "\t"), key=lambda d: sum(line.count(d) for line in first_lines))
    # Undecodable bytes become lone surrogates, so the row that holds them is the one reported.
    stream = io.TextIOWrapper(file, encoding="utf-8-sig", newline="", errors="surrogateescape")
    reader = csv.reader(stream, delimiter=delimiter)

    def rows() -> Iterator[tuple[int, list]]:
        line = 0
        try:
            for line, cells in enumerate(reader, start=1):  # noqa: B007 - `line` is read on failure
                if not sound and _NOT_UTF8.search("".join(cells)):
                    raise unreadable(
                        f"Line {line} is not UTF-8 text: in Excel, save the file as 'CSV UTF-8'",
                        "import.not_utf8",
                    )
                yield line, [text.strip() or None for text in cells]  # `cell`, for text
        except csv.Error as exc:
            raise unreadable(f"Line {line + 1} is not valid CSV: {exc}", "import.unreadable") from None

    return Table("csv", rows(), lines + (0 if sample.endswith(b"\n") or not sample else 1), stream.detach)
