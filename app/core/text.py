"""Text helpers shared by validation and search."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics, so `nguyen van` finds `Nguyễn Văn` and `d` finds `đ`."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(stripped.lower().split())
