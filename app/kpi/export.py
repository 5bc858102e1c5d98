"""A report as an administrative spreadsheet, and as a short text to paste into a Zalo group."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from app.core.cells import save
from app.core.fields import printable
from app.kpi import document
from app.kpi.indicators import BASES
from app.kpi.periods import VIETNAM, parse_report_period
from app.kpi.results import COUNT_NAMES
from app.kpi.schemas import IndicatorValue, SnapshotRead

STATUS = {
    "draft": "Dự thảo",
    "submitted": "Đã gửi",
    "approved": "Đã duyệt",
    "returned": "Trả lại để chỉnh sửa",
}
HEADINGS = [
    "STT",
    "Chỉ tiêu",
    "Kết quả",
    "Tử số",
    "Mẫu số",
    "Chỉ tiêu kế hoạch",
    "Đạt / Chưa đạt",
    "So sánh với",
    "Lũy kế từ đầu năm",
    "Chỉ tiêu năm",
]
KIND_HEADINGS = ["STT", "Loại hỗ trợ", "Số lượt", "Số người", "Số hồ sơ"]
# How targets are compared, said once on every report (issue 19 item 4).
BASIS_NOTE = (
    "Chỉ tiêu tỷ lệ (%) áp dụng cho đơn vị và các đơn vị trực thuộc chưa đặt chỉ tiêu riêng. Chỉ tiêu số "
    "lượng là tổng của chính đơn vị đặt chỉ tiêu, không giao xuống đơn vị trực thuộc; kết quả tháng so với "
    "1/12, kết quả quý so với 1/4 chỉ tiêu năm, trừ khi tháng, quý đó có chỉ tiêu riêng."
)


def _day(day) -> str:
    return f"{day:%d/%m/%Y}"


def period_label(code: str) -> str:
    period = parse_report_period(code)
    if period.kind == "month":
        return f"Tháng {period.start.month:02d}/{period.year}"
    if period.kind == "quarter":
        return f"Quý {code[-1]}/{period.year}"
    if period.kind == "range":
        return f"Từ ngày {_day(period.start)} đến ngày {_day(period.last_day)}"
    return f"Năm {period.year}"


def number(value: float | None, percent: bool) -> str:
    """Vietnamese formatting: 1.234, 41,67 (a share of a target) and 85,3 %."""
    if value is None:
        return "chưa có dữ liệu"
    if percent:
        return f"{value:.1f}".replace(".", ",") + " %"
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def basis(item: IndicatorValue, unit_id=None) -> str | None:
    """What the item's target is, in words: `1/12 chỉ tiêu năm`, `chỉ tiêu năm (đơn vị cấp trên)`."""
    if item.target_basis is None:
        return None
    inherited = unit_id is not None and item.target_unit_id not in (None, unit_id)
    return BASES[item.target_basis] + (" (đơn vị cấp trên)" if inherited else "")


def request_line(report: SnapshotRead) -> str:
    """The request an ad-hoc report answers: who asked, and its reference."""
    return f"Theo yêu cầu của {report.request_by}" + (
        f" ({report.request_ref})" if report.request_ref else ""
    )


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
    lines = [
        f"BÁO CÁO {'ĐỘT XUẤT ' if report.adhoc else ''}KẾT QUẢ HOẠT ĐỘNG TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG",
        f"{period_label(report.period)} — {report.unit_name} ({report.unit_code})",
    ]
    if report.adhoc:
        lines.append(request_line(report))
    lines.append(
        f"Hạn nộp: trước ngày {_day(report.due_on)}. Trạng thái: {STATUS[report.status]}"
        + (" — nộp muộn" if report.late else "")
    )
    document.title(sheet, width, *lines)
    sheet.append([None])
    document.paragraph(sheet, width, "I. KẾT QUẢ THỰC HIỆN", report.results)
    header_row = _table(sheet, HEADINGS, (6, 44, 12, 10, 10, 14, 12, 18, 12, 12))
    for index, item in enumerate(report.indicators, start=1):
        sheet.append(
            [
                index,
                item.name,
                item.value,
                item.numerator,
                item.denominator,
                item.target,
                _met(item.met),
                basis(item, report.unit_id),
                item.ytd_value,
                item.year_target,
            ]
        )
        if item.denominator is not None:
            for column in (3, 6):
                sheet.cell(sheet.max_row, column).number_format = '0.0"%"'
    _borders(sheet, header_row, width)
    frozen = f"Số liệu chốt lúc {report.frozen_at.astimezone(VIETNAM):%H:%M ngày %d/%m/%Y}."
    for note in (frozen, BASIS_NOTE):
        sheet.append([note])
        sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width)
        sheet.cell(sheet.max_row, 1).font = document.ITALIC
        sheet.cell(sheet.max_row, 1).alignment = document.WRAP
    sheet.row_dimensions[sheet.max_row].height = 45
    _activity(sheet, report)
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


def _activity(sheet, report: SnapshotRead) -> None:
    """The period's help by kind, and seed 004's four counts (reports frozen before them have none)."""
    if not report.by_kind and report.counts is None:
        return
    width = len(KIND_HEADINGS)
    sheet.append([None])
    sheet.append(["Kết quả hỗ trợ theo loại"])
    sheet.cell(sheet.max_row, 1).font = document.BOLD
    first = _table(sheet, KIND_HEADINGS, ())
    for index, kind in enumerate(report.by_kind, start=1):
        sheet.append([index, kind.name, kind.activities, kind.people, kind.dossiers])
    _borders(sheet, first, width)
    if report.counts is not None:
        sheet.append([None])
        sheet.append(["Kết quả tham gia"])
        sheet.cell(sheet.max_row, 1).font = document.BOLD
        first = _table(sheet, ["STT", "Nội dung", "Số lượng"], ())
        for index, (name, label) in enumerate(COUNT_NAMES.items(), start=1):
            sheet.append([index, label, getattr(report.counts, name)])
        _borders(sheet, first, 3)


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
    if report.adhoc:
        days = f"từ {_day(report.starts_on)} đến {_day(report.ends_on)}"
        lines = [f"📊 Báo cáo đột xuất Tổ CNSCĐ {report.unit_name} — {days}", request_line(report)]
    else:
        lines = [f"📊 Báo cáo Tổ CNSCĐ {report.unit_name} — {period_label(report.period)}"]
    if report.results:
        lines.append(f"Kết quả nổi bật: {report.results}")
    for item in report.indicators:
        percent = item.denominator is not None
        if item.value is None and percent:
            continue
        line = f"• {item.name}: {number(item.value, percent)}"
        if item.target is not None:
            compared = "" if percent else f", bằng {basis(item)}"
            line += (
                f" (mục tiêu {number(item.target, percent)}{compared}{', đạt' if item.met else ', chưa đạt'})"
            )
        if item.ytd_value is not None and parse_report_period(report.period).kind != "year":
            year = f"/{number(item.year_target, False)}" if item.year_target is not None else ""
            line += f"; lũy kế năm {number(item.ytd_value, False)}{year}"
        lines.append(line)
    done = [k for k in report.by_kind if k.activities]
    if done:
        lines.append("Kết quả theo loại hỗ trợ:")
        for k in done:
            dossiers = f", {number(k.dossiers, False)} hồ sơ" if k.dossiers else ""
            lines.append(
                f"- {k.name}: {number(k.activities, False)} lượt, {number(k.people, False)} người{dossiers}"
            )
    if report.counts is not None:
        lines.append(
            f"{COUNT_NAMES['youth_union_members']}: {number(report.counts.youth_union_members, False)}"
        )
    for label, text in (("Khó khăn, vướng mắc", report.difficulties), ("Đề xuất", report.proposals)):
        if text:
            lines.append(f"{label}: {text}")
    status = STATUS[report.status] + (" (muộn)" if report.late else "")
    lines.append(f"Trạng thái: {status}; hạn nộp trước ngày {_day(report.due_on)}.")
    return "\n".join(lines) + "\n"
