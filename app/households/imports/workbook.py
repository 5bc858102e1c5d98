"""The rows of an XLSX workbook's first sheet, read within budgets by python-calamine in a child
process whose memory and time are capped.

A workbook is a zip of XML parts: a few hundred kilobytes can inflate to gigabytes, and a few cells
can make a reader allocate for billions (calamine sizes its grid from the farthest cell: a 1.4 KB
file naming A1 and XFD1048576 aborts the process that reads it). So:

1. `gate`, in the child, inflates every part from its stored bytes (the true size, whatever the zip's
   headers claim) and refuses, while streaming, a part over `MAX_PART`, all parts over
   `MAX_INFLATED`, more than `MAX_STRINGS` shared strings or `MAX_CELLS` cells in a part: a small
   file that unpacks into a huge one is refused within a second or two, with a clear message.
2. calamine (Rust, ~10-20× faster than openpyxl's read-only mode) then reads the first worksheet in
   the same child, under `MEMORY_LIMIT` of address space and `TIME_LIMIT`: whatever the budgets do
   not foresee ends the child, never the server, and is refused as too large.
3. Rows come back over a pipe in batches, so the server holds one batch of cells at a time.

The child (`python -m app.households.imports.workbook`) imports little, so it starts in ~0.1 s. It
bounds resources; it is not a privilege boundary (it runs as the server's user).
"""

import io
import os
import pickle
import resource
import struct
import subprocess
import sys
import threading
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any, BinaryIO

from app.households.imports.errors import TooLarge, unreadable

MAX_BYTES = 32 * 1024 * 1024  # the workbook as sent
MAX_PARTS = 1000  # files in the zip
MAX_PART = 256 * 1024 * 1024  # one part once inflated (a sheet of 200,000 rows is ~160 MB)
MAX_INFLATED = 512 * 1024 * 1024  # all parts once inflated
MAX_STRINGS = 2_000_000  # shared strings in a part
MAX_CELLS = 8_000_000  # cells in a part (200,000 rows of 40 columns)
MEMORY_LIMIT = 1024 * 1024 * 1024  # the child's address space
TIME_LIMIT = 60  # seconds of CPU for the child, and of wall clock until it has parsed the sheet
BATCH = 1000  # rows a message

TOO_COMPLEX = (
    "The workbook is too large or too complex to read: split it into several files, or save the "
    "sheet as CSV UTF-8"
)
UNREADABLE = "The workbook cannot be read: is it a valid .xlsx file?"


class Workbook:
    """The first sheet of a workbook, read by a child process. Blocking: use it from a worker thread;
    `close` ends the child (and must be called)."""

    def __init__(self, file: BinaryIO):
        data = file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise TooLarge(
                f"The workbook is larger than {MAX_BYTES // 2**20} MB: split it into several files"
            )
        self._child = subprocess.Popen(
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # a Rust panic's backtrace is no log line
        )
        self._deadline = threading.Timer(TIME_LIMIT, self._child.kill)
        self._deadline.start()
        try:
            try:
                self._child.stdin.write(data)
                self._child.stdin.close()
            except BrokenPipeError:  # the child ended early: what it said (or its silence) tells why
                pass
            _, self.expected_lines = self._receive()  # ("sheet", its last line)
            # Parsed: what is left is sending rows, paced by our reading (its CPU limit still holds).
            self._deadline.cancel()
        except BaseException:
            self.close()
            raise

    def rows(self) -> Iterator[tuple[int, list]]:
        line = 0
        while (message := self._receive())[0] == "rows":
            for cells in message[1]:
                line += 1
                yield line, cells

    def close(self) -> None:
        self._deadline.cancel()
        self._child.kill()
        self._child.wait()
        self._child.stdout.close()

    def _receive(self) -> tuple:
        try:
            message = pickle.load(self._child.stdout)
        except (EOFError, pickle.UnpicklingError):  # killed by its memory, CPU or time limit
            raise TooLarge(TOO_COMPLEX) from None
        if message[0] == "refused":
            _, too_large, code, detail = message
            raise TooLarge(detail) if too_large else unreadable(detail, code)
        return message


def cell(value: Any) -> Any:
    """A cell as the checks want it: stripped text, None for empty, whole numbers as ints (a workbook
    stores every number as a float)."""
    if value.__class__ is str:
        return value.strip() or None
    if value.__class__ is float and value.is_integer():
        return int(value)
    return value


# --- in the child -------------------------------------------------------------------------------


class _Refused(Exception):
    def __init__(self, detail: str, *, too_large: bool = True, code: str = "import.too_large"):
        super().__init__(detail)
        self.detail, self.too_large, self.code = detail, too_large, code


def _unreadable() -> _Refused:
    return _Refused(UNREADABLE, too_large=False, code="import.unreadable")


def main() -> None:
    """The child: a workbook on stdin; its first sheet's rows on stdout, as pickled messages
    ("sheet", last line), ("rows", [cells, …])…, ("end",) or ("refused", too large?, code, detail).

    calamine parses in a thread while the gate reads (calamine lets go of the GIL: two cores), so a
    sound workbook costs the longer of the two, not their sum; a refused one ends the process, parse
    or no parse."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (TIME_LIMIT, TIME_LIMIT + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    out = sys.stdout.buffer

    def send(message: tuple) -> None:
        pickle.dump(message, out, protocol=pickle.HIGHEST_PROTOCOL)

    try:
        data = sys.stdin.buffer.read()
        parsed: dict[str, Any] = {}
        parsing = threading.Thread(target=_parse, args=(data, parsed), daemon=True)
        parsing.start()
        gate(data)
        parsing.join()
        if "error" in parsed:
            raise parsed["error"]
        sheet = parsed["sheet"]
        # Rows come from the sheet's first row (line 1), cells from its first used column.
        send(("sheet", sheet.end[0] + 1 if sheet.end else 0))
        try:
            batch = []
            for cells in sheet.iter_rows():
                batch.append([cell(value) for value in cells])
                if len(batch) == BATCH:
                    send(("rows", batch))
                    batch = []
        except Exception:  # noqa: BLE001
            raise _Refused(
                "The workbook is damaged: its first sheet cannot be read to the end",
                too_large=False,
                code="import.unreadable",
            ) from None
        send(("rows", batch))
        send(("end",))
    except _Refused as refused:
        send(("refused", refused.too_large, refused.code, refused.detail))
    except MemoryError:
        send(("refused", True, "import.too_large", TOO_COMPLEX))
    except Exception:  # noqa: BLE001 - a file no reader expected
        send(("refused", False, "import.unreadable", UNREADABLE))
    out.flush()
    os._exit(0)  # now, even with calamine still parsing a refused workbook


def _parse(data: bytes, parsed: dict[str, Any]) -> None:
    try:
        parsed["sheet"] = _first_sheet(data)
    except BaseException as exc:  # noqa: BLE001 - handed to the main thread
        parsed["error"] = exc


def _first_sheet(data: bytes):
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        worksheets = [
            n for n, sheet in enumerate(book.sheets_metadata) if sheet.typ == SheetTypeEnum.WorkSheet
        ]
        if not worksheets:
            raise _Refused("The workbook has no sheet", too_large=False, code="import.no_sheet")
        return book.get_sheet_by_index(worksheets[0])
    except (_Refused, MemoryError):
        raise
    except Exception:  # noqa: BLE001
        raise _unreadable() from None


_CHUNK = 1 << 20


def gate(data: bytes) -> None:
    """Refuse a workbook over a budget, reading every part once, a chunk at a time.

    The shared strings (calamine reads them from `xl/sharedStrings.xml`, whatever its case) are
    counted by their start tags `<si`, the cells of any other part by `<c`, with `:si` and `:c` for a
    namespace prefix (calamine ignores prefixes): counts that err only upwards, as budgets should."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _unreadable() from None
    if len(parts) > MAX_PARTS:
        raise _Refused(f"The workbook has more than {MAX_PARTS} parts: is it a household list?")
    if len({part.filename.lower() for part in parts}) != len(parts):  # which one would a reader take?
        raise _unreadable()
    total = 0
    for part in parts:
        strings = part.filename.lower() == "xl/sharedstrings.xml"
        tag, prefixed, budget = (b"<si", b":si", MAX_STRINGS) if strings else (b"<c", b":c", MAX_CELLS)
        size = count = 0
        tail = b""
        for chunk in _inflate(data, part):
            size += len(chunk)
            total += len(chunk)
            if size > MAX_PART or total > MAX_INFLATED:
                raise _Refused(
                    f"The workbook is too large once uncompressed ({part.filename}): split it into several "
                    "files"
                )
            text = tail + chunk  # a tag cut by the chunk's end is counted with the next chunk
            tail, text = text[-3:], text[:-3]
            count += text.count(tag) + text.count(prefixed)
            if count > budget:
                what = f"{MAX_STRINGS:,} texts" if strings else f"{MAX_CELLS:,} cells"
                raise _Refused(
                    f"The workbook holds more than {what} ({part.filename}): split it into several files"
                )


def _inflate(data: bytes, part: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's content in chunks of at most `_CHUNK` bytes, inflated from the bytes the zip stores
    for it (its local header, then `compress_size` bytes): the true size, not the declared one."""
    if part.flag_bits & 0x1 or part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise _unreadable()
    header = data[part.header_offset : part.header_offset + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise _unreadable()
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    start = part.header_offset + 30 + name_length + extra_length
    stored = memoryview(data)[start : start + part.compress_size]
    if part.compress_type == zipfile.ZIP_STORED:
        for offset in range(0, len(stored), _CHUNK):
            yield bytes(stored[offset : offset + _CHUNK])
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    try:
        for offset in range(0, len(stored), 1 << 16):
            pending = stored[offset : offset + (1 << 16)]
            while pending and not inflater.eof:
                yield inflater.decompress(pending, _CHUNK)
                pending = inflater.unconsumed_tail
            if inflater.eof:
                return
        yield inflater.flush()
    except zlib.error:
        raise _unreadable() from None


if __name__ == "__main__":
    main()
