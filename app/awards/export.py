"""An award's ranking as the list a commune or province attaches to its award decision."""

from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from app.awards.schemas import AwardRanking, AwardRow
from app.core.cells import save
from app.core.fields import printable
from app.kpi import document
from app.kpi.indicators import BY_CODE

KINDS = {"member": "Cá nhân", "team": "Tập thể", "initiative": "Mô hình, cách làm hay"}


def xlsx(
    award: AwardRanking, unit_name: str, day: date, honoured: list[tuple[str, str, str, str]] = ()
) -> bytes:
    """The ranking of the units; once decided, the decision's number and date in the heading and the
    members, teams and initiatives it honours (kind, name, unit, achievement) before the ranking."""
    codes = list(award.weights)
    headings = ["STT", "Đơn vị", "Tổ công nghệ số cộng đồng", "Điểm", "Xếp hạng"]
    headings += [f"{BY_CODE[code].name} (trọng số {award.weights[code]:g})" for code in codes]
    width = len(headings)
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    document.header(sheet, width, (f"UBND {printable(unit_name).upper()}", ""), unit_name, day)
    if award.status == "frozen":
        state = "Kết quả chính thức"
    elif award.cutoff_passed:
        state = "Bảng xếp hạng tạm tính (đã qua ngày chốt, chưa chốt)"
    else:
        until = f"{award.cutoff_on:%d/%m/%Y}"
        state = f"Bảng xếp hạng tạm tính (chưa chốt, số liệu còn thay đổi đến hết ngày {until})"
    decided = award.decision_no is not None and award.decision_date is not None
    if decided:
        no, on = printable(award.decision_no), f"{award.decision_date:%d/%m/%Y}"
        attached = f"(Kèm theo Quyết định số {no} ngày {on} của Chủ tịch UBND {printable(unit_name)})"
    else:
        blank = f"....../QĐ-UBND ngày ...../...../{day:%Y}"
        attached = f"(Kèm theo Quyết định số {blank} của UBND {printable(unit_name)})"
    document.title(
        sheet,
        width,
        "DANH SÁCH KHEN THƯỞNG" if decided else "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG",
        printable(award.title),
        attached,
        f"{state}; số liệu {award.period}, tính đến hết ngày {award.as_of:%d/%m/%Y}",
    )
    if honoured:
        sheet.append([None])
        sheet.append([f"I. CÁ NHÂN, TẬP THỂ, MÔ HÌNH ĐƯỢC KHEN THƯỞNG ({len(honoured)})"])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
        sheet.append(["STT", "Hình thức", "Họ tên / Tên tập thể, mô hình", "Đơn vị", "Thành tích"])
        first = sheet.max_row
        for cell in sheet[first][:5]:
            cell.font = Font(bold=True)
        for number, (kind, name, unit, reason) in enumerate(honoured, start=1):
            sheet.append([number, KINDS.get(kind, kind), printable(name), printable(unit), printable(reason)])
            sheet.cell(sheet.max_row, 5).alignment = Alignment(wrap_text=True, vertical="top")
        thin_side = Side(style="thin")
        for cells in sheet.iter_rows(min_row=first, max_row=sheet.max_row, max_col=5):
            for cell in cells:
                cell.border = Border(left=thin_side, right=thin_side, top=thin_side, bottom=thin_side)
        sheet.append([None])
        sheet.append(["II. XẾP HẠNG CÁC ĐƠN VỊ"])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    sheet.append([None])
    sheet.append([f"Cách tính: {award.formula}"])
    sheet.cell(sheet.max_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.merge_cells(start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width)
    sheet.row_dimensions[sheet.max_row].height = 45
    sheet.append(headings)
    header_row, thin = sheet.max_row, Side(style="thin")
    for column in range(1, width + 1):
        cell = sheet.cell(header_row, column)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    # Only a ranked unit is proposed, so only it is numbered; the units without data follow, apart.
    number = 0
    for row in award.ranking:
        number += row.rank is not None
        sheet.append(_row(row, number if row.rank is not None else None, codes))
    if award.no_data:
        sheet.append([f"Đơn vị chưa có số liệu ({len(award.no_data)}, không xếp hạng)"])
        apart = sheet.max_row
        sheet.cell(apart, 1).font = Font(italic=True)
        sheet.merge_cells(start_row=apart, start_column=1, end_row=apart, end_column=width)
        for row in award.no_data:
            sheet.append(_row(row, None, codes))
    for cells in sheet.iter_rows(min_row=header_row, max_row=sheet.max_row, max_col=width):
        for cell in cells:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for column, size in zip("ABCDE", (6, 28, 28, 10, 10), strict=True):
        sheet.column_dimensions[column].width = size
    document.signature(sheet, width, "TM. Ủy ban nhân dân", None)
    document.print_setup(sheet, header_row, landscape=len(codes) > 3)
    return save(book)  # the one rule for cells (app/core/cells.py): text that looks like a formula stays text


def _row(row: AwardRow, number: int | None, codes: list[str]) -> list:
    values = {item.code: item.value for item in row.indicators}
    teams = ", ".join(printable(team) for team in row.teams)
    return [number, printable(row.name), teams, row.score, row.rank, *map(values.get, codes)]
