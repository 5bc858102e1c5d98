"""An administrative document as a worksheet (Nghị định 30/2020/NĐ-CP's layout, in spirit): the
issuing body on the left and the national motto on the right, the place-and-date line, the title,
the body, the signature block (title and full name), and a page that prints on A4."""

from datetime import date

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from app.authz.permissions import Role

# The title under which each role signs a report.
TITLES = {
    Role.team_leader: "Tổ trưởng",
    Role.commune_officer: "Công chức Văn hóa - Xã hội",
    Role.province_officer: "Sở Khoa học và Công nghệ",
    Role.admin: "Quản trị hệ thống",
}
_TYPES = (
    "Thành phố ",
    "Tỉnh ",
    "Đặc khu ",
    "Phường ",
    "Thị trấn ",
    "Xã ",
    "Thôn ",
    "Tổ dân phố ",
    "Ấp ",
    "Bản ",
)
BOLD, ITALIC = Font(bold=True), Font(italic=True)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)


def place(name: str) -> str:
    """A unit's name as a place-and-date line writes it: `Xã Ngọc Hồi` → `Ngọc Hồi`."""
    return next((name[len(t) :] for t in _TYPES if name.startswith(t)), name)


def date_line(where: str, day: date) -> str:
    return f"{place(where)}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def issuers(level: str, unit_name: str, parent_name: str | None) -> tuple[str, str]:
    """The issuing body's two lines: the people's committee above, the body that reports below."""
    if level == "village":
        return f"UBND {(parent_name or '').upper()}".strip(), f"TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG {unit_name.upper()}"
    if level == "commune":
        return f"UBND {unit_name.upper()}", "TỔ CÔNG NGHỆ SỐ CỘNG ĐỒNG"
    return f"UBND {unit_name.upper()}", "SỞ KHOA HỌC VÀ CÔNG NGHỆ"


def header(sheet: Worksheet, width: int, issuer: tuple[str, str], where: str, day: date) -> None:
    """Rows 1–3: the issuing body (left) and the motto (right), then the place and date (right)."""
    left, right = max(2, width // 2), width
    lines = ((issuer[0], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), (issuer[1], "Độc lập - Tự do - Hạnh phúc"))
    for row, (body, motto) in enumerate(lines, start=1):
        sheet.cell(row, 1, body).font = BOLD
        sheet.cell(row, left + 1, motto).font = BOLD
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=left)
        sheet.merge_cells(start_row=row, start_column=left + 1, end_row=row, end_column=right)
        for column in (1, left + 1):
            sheet.cell(row, column).alignment = CENTER
    sheet.cell(3, left + 1, date_line(where, day)).font = ITALIC
    sheet.merge_cells(start_row=3, start_column=left + 1, end_row=3, end_column=right)
    sheet.cell(3, left + 1).alignment = CENTER


def title(sheet: Worksheet, width: int, *lines: str) -> None:
    """Centered title lines after a blank row, the first in bold."""
    sheet.append([None])
    for number, line in enumerate(lines):
        sheet.append([line])
        row = sheet.max_row
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        sheet.cell(row, 1).alignment = CENTER
        if number == 0:
            sheet.cell(row, 1).font = BOLD


def paragraph(sheet: Worksheet, width: int, heading: str, text: str | None) -> None:
    """A numbered section: its heading, then its text (or "Không có.") across the page."""
    sheet.append([heading])
    sheet.cell(sheet.max_row, 1).font = BOLD
    body = (text or "").strip() or "Không có."
    sheet.append([body])
    row = sheet.max_row
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    sheet.cell(row, 1).alignment = WRAP
    sheet.row_dimensions[row].height = 15 * max(1, body.count("\n") + 1 + len(body) // 100)


def signature(sheet: Worksheet, width: int, role_title: str | None, full_name: str | None) -> None:
    """The signature block on the right: the title, room to sign, the full name."""
    left = max(2, width // 2) + 1
    sheet.append([None])
    for text, font in ((role_title or "Người lập báo cáo", BOLD), ("(Ký, ghi rõ họ tên)", ITALIC)):
        sheet.append([None])
        row = sheet.max_row
        sheet.cell(row, left, text.upper() if font is BOLD else text).font = font
        sheet.merge_cells(start_row=row, start_column=left, end_row=row, end_column=width)
        sheet.cell(row, left).alignment = CENTER
    for _ in range(3):
        sheet.append([None])
    sheet.append([None])
    row = sheet.max_row
    sheet.cell(row, left, full_name or "").font = BOLD
    sheet.merge_cells(start_row=row, start_column=left, end_row=row, end_column=width)
    sheet.cell(row, left).alignment = CENTER


def print_setup(sheet: Worksheet, header_row: int | None = None, landscape: bool = False) -> None:
    """A4, the usual margins (2 cm left, 1.5 cm elsewhere), one page wide, the table's header row
    printed again on every page."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_margins.left, sheet.page_margins.right = 0.79, 0.59
    sheet.page_margins.top, sheet.page_margins.bottom = 0.59, 0.59
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    if header_row is not None:
        sheet.print_title_rows = f"{header_row}:{header_row}"
