"""A report as an administrative spreadsheet, and as a short text to paste into a Zalo group."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from app.core.cells import save
from app.core.fields import printable
from app.kpi import document
from app.kpi.periods import VIETNAM, parse_period
from app.kpi.schemas import SnapshotRead

STATUS = {
    "draft": "Dự thảo",
    "submitted": "Đã gửi",
    "approved": "Đã duyệt",
    "returned": "Trả lại để chỉnh sửa",
}
HEADINGS = ["STT", "Chỉ tiêu", "Kết quả", "Tử số", "Mẫu số", "Chỉ tiêu kế hoạch", "Đạt / Chưa đạt"]


def period_label(code: str) -> str:
    period = parse_period(code)
    if period.kind == "month":
        return f"Tháng {period.start.month:02d}/{period.year}"
    if period.kind == "quarter":
        return f"Quý {code[-1]}/{period.year}"
    return f"Năm {period.year}"


def number(value: float | None, percent: bool) -> str:
    """Vietnamese formatting: 1.234 and 85,3 %."""
    if value is None:
        return "chưa có dữ liệu"
    if percent:
        return f"{value:.1f}".replace(".", ",") + " %"
    return f"{int(value):,}".replace(",", ".")


def _met(met: bool | None) -> str:
    return "—" if met is None else ("Đạt" if met else "Chưa đạt")


def _printable(report: SnapshotRead) -> SnapshotRead:
    """The report as exports may write it: stored text older than the validation may hold control
    characters, which openpyxl refuses (IllegalCharacterError), and an approved report could never
    be exported again. Every export starts here."""
    text = {name: printable(value, multiline=True) for name, value in report if isinstance(value, str)}
    return report.model_copy(update=text)


def _table(sheet, headings: list[str], widths: tuple[int, ...]) -> int:
    """The table's header row (its number: printed again on every page) and column widths."""
    sheet.append(headings)
    row = sheet.max_row
    for column, _ in enumerate(headings, start=1):
        cell = sheet.cell(row, column)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    return row


def _borders(sheet, first: int, width: int) -> None:
    thin = Side(style="thin")
    for row in sheet.iter_rows(min_row=first, max_row=sheet.max_row, max_col=width):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            if cell.column == 2:
                cell.alignment = Alignment(vertical="top", wrap_text=True)


def xlsx(report: SnapshotRead, level: str, children: list[SnapshotRead] = ()) -> bytes:
    """The report as the document a commune files: header, figures, the written sections, the
    signature; a commune's or province's report adds its units' lines on a second sheet."""
    report = _printable(report)
    day = (report.submitted_at or report.frozen_at).astimezone(VIETNAM).date()
    width = len(HEADINGS)
    book = Workbook()
    sheet = book.active
    sheet.title = "Báo cáo"
    issuer = document.issuers(level, report.unit_name, report.parent_name)
    where = report.parent_name if level == "village" and report.parent_name else report.unit_name
    document.header(sheet, width, issuer, where, day)
    document.title(
        sheet,
        width,
        "BÁO CÁO KẾT QUẢ HOẠT ĐỘNG TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG",
        f"{period_label(report.period)} — {report.unit_name} ({report.unit_code})",
        f"Trạng thái: {STATUS[report.status]}" + (" — nộp muộn" if report.late else ""),
    )
    sheet.append([None])
    document.paragraph(sheet, width, "I. KẾT QUẢ THỰC HIỆN", report.results)
    header_row = _table(sheet, HEADINGS, (6, 52, 12, 10, 10, 18, 14))
    for index, item in enumerate(report.indicators, start=1):
        sheet.append(
            [index, item.name, item.value, item.numerator, item.denominator, item.target, _met(item.met)]
        )
        if item.denominator is not None:
            for column in (3, 6):
                sheet.cell(sheet.max_row, column).number_format = '0.0"%"'
    _borders(sheet, header_row, width)
    frozen = f"Số liệu chốt lúc {report.frozen_at.astimezone(VIETNAM):%H:%M ngày %d/%m/%Y}."
    sheet.append([frozen])
    sheet.cell(sheet.max_row, 1).font = document.ITALIC
    document.paragraph(sheet, width, "II. KHÓ KHĂN, VƯỚNG MẮC", report.difficulties)
    document.paragraph(sheet, width, "III. ĐỀ XUẤT, GIẢI PHÁP", report.proposals)
    if report.return_reason:
        document.paragraph(sheet, width, "Lý do trả lại lần gần nhất", report.return_reason)
    if report.approved_at:
        sheet.append(
            [f"Đã duyệt: {report.approved_by}, ngày {report.approved_at.astimezone(VIETNAM):%d/%m/%Y}."]
        )
    document.signature(sheet, width, report.signer_title, report.signer_name)
    document.print_setup(sheet, header_row)
    if level != "village":
        _children(book.create_sheet("Các đơn vị"), report, [_printable(child) for child in children])
    return save(book)  # the one rule for cells (app/core/cells.py): text that looks like a formula stays text


def _children(sheet, report: SnapshotRead, children: list[SnapshotRead]) -> None:
    """One line per unit below: its report's status and its figures, as it sent them."""
    codes = [item.code for item in report.indicators]
    names = [item.name for item in report.indicators]
    width = 4 + len(codes)
    document.title(sheet, width, f"KẾT QUẢ CÁC ĐƠN VỊ TRỰC THUỘC — {period_label(report.period)}")
    header_row = _table(
        sheet, ["STT", "Đơn vị", "Báo cáo", "Nộp muộn", *names], (6, 30, 14, 10, *(12,) * len(codes))
    )
    for index, child in enumerate(sorted(children, key=lambda c: c.unit_name or ""), start=1):
        values = {item.code: item.value for item in child.indicators}
        sheet.append(
            [
                index,
                child.unit_name,
                STATUS[child.status],
                "Có" if child.late else "",
                *map(values.get, codes),
            ]
        )
    _borders(sheet, header_row, width)
    document.print_setup(sheet, header_row, landscape=True)


def zalo_text(report: SnapshotRead) -> str:
    report = _printable(report)
    lines = [f"📊 Báo cáo Tổ CNSCĐ {report.unit_name} — {period_label(report.period)}"]
    if report.results:
        lines.append(f"Kết quả nổi bật: {report.results}")
    for item in report.indicators:
        percent = item.denominator is not None
        if item.value is None and percent:
            continue
        line = f"• {item.name}: {number(item.value, percent)}"
        if item.target is not None:
            line += f" (mục tiêu {number(item.target, percent)}{', đạt' if item.met else ', chưa đạt'})"
        lines.append(line)
    for label, text in (("Khó khăn, vướng mắc", report.difficulties), ("Đề xuất", report.proposals)):
        if text:
            lines.append(f"{label}: {text}")
    status = STATUS[report.status] + (" (muộn)" if report.late else "")
    lines.append(f"Trạng thái: {status}; hạn nộp {report.due_on:%d/%m/%Y}.")
    return "\n".join(lines) + "\n"
