"""Vietnamese name lists sort by given name, then middle name, then family name, in Vietnamese
alphabetical order (ă after a, đ after d; a word's tone after its letters)."""

from app.core.text import name_key

ORDER = [
    "Lý An",
    "Nguyễn Văn An",
    "Nguyễn Văn Àn",
    "Hồ Văn Án",
    "Ngô Bảo Anh",
    "Phạm Anh",
    "Mai Văn Anh",
    "Lê Thị Ánh",
    "Trần Văn Ăn",
    "Nguyễn Thị Ân",
    "ĐẶNG VĂN ÂU",
    "Vũ Văn Dũng",
    "Trần Duy",
    "Đỗ Thị Đào",
    "Đào Đức",
    "Phan Thị Ơn",
    "Lê Văn Ước",
]


def test_names_sort_as_vietnamese_lists_do():
    assert sorted(reversed(ORDER), key=name_key) == ORDER


def test_the_key_is_plain_ascii_digits_so_any_collation_orders_it_bytewise():
    key = name_key("Nguyễn Thị Ánh Tuyết")
    assert key.isascii() and key.isdigit()
    assert name_key("nguyễn thị ánh tuyết") == key == name_key("  Nguyễn   Thị Ánh Tuyết ")
