"""A report as an administrative spreadsheet, and as a short text to paste into a Zalo group."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from app.core.fields import printable
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


def xlsx(report: SnapshotRead) -> bytes:
    report = _printable(report)
    book = Workbook()
    sheet = book.active
    sheet.title = "Báo cáo"
    bold, thin = Font(bold=True), Side(style="thin")
    sheet.append(["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    sheet.append(["Độc lập - Tự do - Hạnh phúc"])
    sheet.append([])
    sheet.append(["BÁO CÁO KẾT QUẢ HOẠT ĐỘNG TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG"])
    sheet.append([f"Đơn vị: {report.unit_name} ({report.unit_code})"])
    sheet.append([f"Kỳ báo cáo: {period_label(report.period)} — hạn nộp {report.due_on:%d/%m/%Y}"])
    sheet.append([f"Trạng thái: {STATUS[report.status]}" + (" — nộp muộn" if report.late else "")])
    sheet.append([])
    for row in range(1, 8):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(HEADINGS))
        sheet.cell(row, 1).alignment = Alignment(horizontal="center")
    for row in (1, 2, 4):
        sheet.cell(row, 1).font = bold
    sheet.append(HEADINGS)
    header_row = sheet.max_row
    for column, _ in enumerate(HEADINGS, start=1):
        cell = sheet.cell(header_row, column)
        cell.font, cell.fill = bold, PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for index, item in enumerate(report.indicators, start=1):
        percent = item.denominator is not None
        sheet.append(
            [index, item.name, item.value, item.numerator, item.denominator, item.target, _met(item.met)]
        )
        row = sheet.max_row
        if percent:
            for column in (3, 6):
                sheet.cell(row, column).number_format = '0.0"%"'
    for row in sheet.iter_rows(min_row=header_row, max_row=sheet.max_row, max_col=len(HEADINGS)):
        for cell in row:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for column, width in zip("ABCDEFG", (6, 52, 12, 10, 10, 18, 14), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append([])
    sheet.append([f"Số liệu chốt lúc {report.frozen_at.astimezone(VIETNAM):%H:%M %d/%m/%Y}"])
    if report.submitted_at:
        sheet.append(
            [f"Người gửi: {report.submitted_by} — {report.submitted_at.astimezone(VIETNAM):%d/%m/%Y}"]
        )
    if report.approved_at:
        sheet.append(
            [f"Người duyệt: {report.approved_by} — {report.approved_at.astimezone(VIETNAM):%d/%m/%Y}"]
        )
    if report.return_reason:
        sheet.append([f"Lý do trả lại: {report.return_reason}"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def zalo_text(report: SnapshotRead) -> str:
    report = _printable(report)
    lines = [f"📊 Báo cáo Tổ CNSCĐ {report.unit_name} — {period_label(report.period)}"]
    for item in report.indicators:
        percent = item.denominator is not None
        if item.value is None and percent:
            continue
        line = f"• {item.name}: {number(item.value, percent)}"
        if item.target is not None:
            line += f" (mục tiêu {number(item.target, percent)}{', đạt' if item.met else ', chưa đạt'})"
        lines.append(line)
    status = STATUS[report.status] + (" (muộn)" if report.late else "")
    lines.append(f"Trạng thái: {status}; hạn nộp {report.due_on:%d/%m/%Y}.")
    return "\n".join(lines) + "\n"
