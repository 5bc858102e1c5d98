"""How an import refuses a file: unreadable or too large (nothing was checked), or bad rows (the
report says which; nothing was written)."""

from typing import TYPE_CHECKING

from app.core.errors import AppError, Invalid

if TYPE_CHECKING:  # the workbook's child process imports this module: it stays light
    from app.households.schemas import ImportReport


def unreadable(detail: str, code: str) -> Invalid:
    """A file that cannot be read as a household list (422, loc ["file"])."""
    return Invalid(detail, loc=["file"], code=code)


class TooLarge(AppError):
    """A file over one of the import's budgets (size, rows, cells, strings, memory, time): refused
    before anything is checked, so a small file that unpacks into a huge one costs seconds, not the
    server."""

    status = 413
    title = "Content too large"
    code = "import.too_large"

    def __init__(self, detail: str):
        super().__init__(detail, errors=[{"loc": ["file"], "msg": detail, "code": self.code}])


class ImportRejected(Invalid):
    """A real import with bad rows: nothing was written. `report` says why; `errors` lists the first
    bad rows with `loc` = ["file", line, field]."""

    def __init__(self, report: "ImportReport"):
        self.report = report
        errors = [
            {"loc": ["file", e.line, e.field or e.column or ""], "msg": e.msg, "code": e.code}
            for e in report.errors
        ]
        super().__init__(
            f"{report.rows_invalid} of {report.rows_read} rows are invalid ({report.errors_total} errors):"
            " nothing was imported. Fix them and import again; a dry run checks a file without writing.",
            errors=errors,
            code="import.rows_invalid",
        )
