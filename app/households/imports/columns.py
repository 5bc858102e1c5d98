"""The columns of a commune's household list: their names as communes write them (Vietnamese, with
or without accents, or the API's English field names), the words they fill them with, and the header
row that names them."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from app.core.text import fold
from app.households.imports.errors import unreadable

HEADER_SEARCH_ROWS = 10  # title rows above the header a sheet may have
VILLAGE = "village"
# Column names, in Vietnamese as communes write them; matched accent-, case- and punctuation-
# insensitively (see `key`). The English API field names are accepted too.
ALIASES: dict[str, tuple[str, ...]] = {
    "head_name": ("Họ tên chủ hộ", "Họ và tên chủ hộ", "Chủ hộ", "Tên chủ hộ", "Họ tên", "Họ và tên"),
    "code": ("Mã hộ", "Mã hộ gia đình", "Mã số hộ", "Mã"),
    "address": ("Địa chỉ", "Nơi ở", "Địa chỉ thường trú"),
    "phone": ("Số điện thoại", "SĐT", "Điện thoại", "Số ĐT", "ĐT", "Số điện thoại liên hệ"),
    "members_count": ("Số nhân khẩu", "Số thành viên", "Nhân khẩu", "Số người trong hộ", "Số khẩu"),
    "adults_count": (
        "Số người trưởng thành",
        "Người trưởng thành",
        "Số người từ 18 tuổi",
        "Số người từ 18 tuổi trở lên",
        "Số người trên 18 tuổi",
    ),
    "adults_smartphone": (
        "Có điện thoại thông minh",
        "Số người có smartphone",
        "Smartphone",
        "Điện thoại thông minh",
        "Số người có điện thoại thông minh",
    ),
    "adults_digital_skills": (
        "Kỹ năng số cơ bản",
        "Có kỹ năng số cơ bản",
        "Số người có kỹ năng số cơ bản",
        "Kỹ năng số",
    ),
    "adults_vneid": ("VNeID", "Tài khoản VNeID", "Số người có VNeID", "Số người có tài khoản VNeID"),
    "adults_dvc": (
        "Dịch vụ công",
        "Tài khoản DVC",
        "DVC",
        "Tài khoản dịch vụ công",
        "Số người có tài khoản DVC",
        "Tài khoản dịch vụ công trực tuyến",
    ),
    "adults_epay": (
        "Thanh toán điện tử",
        "Thanh toán không dùng tiền mặt",
        "Tài khoản thanh toán điện tử",
        "Số người thanh toán điện tử",
    ),
    "adults_signature": ("Chữ ký số", "Số người có chữ ký số", "Chữ ký số công cộng"),
    "informed": ("Đã tuyên truyền", "Tuyên truyền", "Đã được tuyên truyền"),
    "has_digital_member": ("Hộ gia đình số", "Hộ số", "Có thành viên có kỹ năng số, VNeID, DVC"),
    "is_business": ("Hộ kinh doanh", "Là hộ kinh doanh", "Hộ KD"),
    "business_cashless": (
        "Thanh toán không tiền mặt (hộ KD)",
        "Thanh toán không dùng tiền mặt (hộ KD)",
        "Hộ KD thanh toán không tiền mặt",
        "Hộ kinh doanh thanh toán không dùng tiền mặt",
    ),
    "ocop_products": ("Sản phẩm OCOP", "Số sản phẩm OCOP", "SP OCOP", "OCOP"),
    "ecommerce_listings": (
        "Sản phẩm trên sàn TMĐT",
        "Số sản phẩm trên sàn TMĐT",
        "Sản phẩm trên sàn thương mại điện tử",
        "Sàn TMĐT",
        "Gian hàng TMĐT",
    ),
    "needs_assistance": ("Cần hỗ trợ", "Cần người hỗ trợ", "Cần hỗ trợ riêng"),
    "assigned_member_id": (),
    "last_visit_at": ("Lần thăm gần nhất", "Ngày thăm gần nhất"),
    "note": ("Ghi chú", "Ghi chú khác"),
    "consent_on": ("Ngày đồng ý", "Ngày đồng ý cung cấp thông tin", "Đồng ý ngày"),
    "consent_by": ("Người lấy ý kiến", "Người ghi nhận đồng ý", "Người lấy đồng ý"),
    VILLAGE: (
        "Thôn",
        "Ấp",
        "Tổ dân phố",
        "Thôn/Tổ dân phố",
        "Thôn/Ấp",
        "Thôn, tổ dân phố",
        "Khu phố",
        "Bản",
        "Thôn/Bản",
        "Mã thôn",
        "Tên thôn",
        "unit_id",
        "unit",
    ),
}
# Row numbers (STT): in nearly every Vietnamese list, and nothing to import. (An `id` column is
# reported as unknown: ids are never imported, so a re-imported export makes new records.)
IGNORED = {"stt", "tt", "so tt", "so thu tu"}
# The row of column numbers administrative forms put under the header: (1) (2) (3)… or A B C…
NUMBERING = re.compile(r"^\(?(\d{1,2}|[A-Za-z])\)?$")
# Yes and no as the lists write them (compared as `key`s).
YES = {"x", "co", "1", "true", "yes", "y", "✓", "✔", "da", "c"}
NO = {"", "khong", "0", "false", "no", "n", "k", "chua", "-"}
# What a village's name may start with: "Thôn Đình" is also found as "Đình".
VILLAGE_PREFIXES = ("to dan pho", "khu pho", "thon", "ap", "ban", "buon", "xom", "lang", "khom", "to", "khu")

_PUNCTUATION = re.compile(r"[^0-9a-z✓✔]+")


def key(text: str) -> str:
    """The comparable form of a header, a name or a yes/no word: folded, punctuation as spaces."""
    return " ".join(_PUNCTUATION.sub(" ", fold(text)).split())


HEADERS: dict[str, str] = {key(name): field for field, names in ALIASES.items() for name in (field, *names)}


@dataclass
class Columns:
    header_line: int
    fields: list[tuple[int, str, str]]  # (index, field, header as written)
    unknown: list[str]

    @property
    def header_of(self) -> dict[str, str]:
        return {f: header for _, f, header in self.fields}


def find_header(rows: Iterator[tuple[int, tuple]]) -> Columns:
    """The first row (of the first few) naming the head of household: rows above it are titles.
    Consumes `rows` up to and including the header."""
    for line, cells in rows:
        keys = [key(str(c)) if c is not None else "" for c in cells]
        if "head_name" not in {HEADERS.get(k) for k in keys}:
            if line >= HEADER_SEARCH_ROWS:
                break
            continue
        fields, unknown, seen = [], [], {}
        for index, (cell, name_key) in enumerate(zip(cells, keys, strict=True)):
            if not name_key or name_key in IGNORED:
                continue
            header = str(cell).strip()
            if (name := HEADERS.get(name_key)) is None:
                unknown.append(header)
            elif name in seen:
                raise unreadable(
                    f"Columns {seen[name]!r} and {header!r} both give {name}: keep one of them",
                    "import.duplicate_column",
                )
            else:
                seen[name] = header
                fields.append((index, name, header))
        return Columns(line, fields, unknown)
    raise unreadable(
        f"No header row in the first {HEADER_SEARCH_ROWS} rows: the file needs a column for the head "
        "of household ('Họ tên chủ hộ' or 'head_name')",
        "import.no_header",
    )
