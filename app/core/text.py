"""Text helpers shared by validation and search."""

import functools
import re
import unicodedata


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics, so `nguyen van` finds `Nguyễn Văn` and `d` finds `đ`."""
    return " ".join(folded for folded in map(_fold_word, text.split()) if folded)


@functools.lru_cache(maxsize=1 << 16)
def _fold_word(word: str) -> str:
    """One word folded, remembered: names and addresses are made of few words (an import of 100,000
    rows folds 300,000 texts, most of their words seen before)."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFD", word.replace("đ", "d").replace("Đ", "d"))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").lower()


# Vietnamese alphabetical order: ă and â after a, đ after d, ê after e, ô and ơ after o, ư after u
# (f, j, w and z for foreign names); a word's tone after its letters, in dictionary order.
_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER = {letter: f"{i + 10:02d}" for i, letter in enumerate(_ALPHABET)}
_TONE = {"\u0300": "1", "\u0309": "2", "\u0303": "3", "\u0301": "4", "\u0323": "5"}  # huyền hỏi ngã sắc nặng
_MARKED = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê", ("o", "\u0302"): "ô"}
_MARKED |= {("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}


@functools.lru_cache(maxsize=1 << 16)
def _word_key(word: str) -> str:
    """Two digits a letter (10 and up), then "0" and the tone's digit: below any letter, so a shorter
    word sorts first, and words of the same letters sort by tone (a, à, ả, ã, á, ạ)."""
    letters, tone = [], "0"
    for char in unicodedata.normalize("NFD", word.lower()):
        if char in _TONE:
            tone = _TONE[char]
        elif letters and (letters[-1], char) in _MARKED:
            letters[-1] = _MARKED[(letters[-1], char)]
        elif char in _LETTER:
            letters.append(char)
    return "".join(_LETTER[c] for c in letters) + "0" + tone


def name_key(name: str) -> str:
    """A key whose plain (bytewise) order is the order of Vietnamese name lists: by given name, then
    middle name, then family name, each in Vietnamese alphabetical order. `Nguyễn Văn An` sorts as
    `An Văn Nguyễn`: before `Lê Thị Ánh`, after `Lý An`."""
    words = name.split()
    if len(words) > 1:
        words = [words[-1], *words[1:-1], words[0]]
    return "".join(map(_word_key, words))


# --- what a reader cannot see -----------------------------------------------------------------------

# Bidirectional controls: they reorder what follows them on screen (U+202E then `cba` shows `abc`), so a name
# can read as another in a list, the audit log or a spreadsheet. Vietnamese never needs them.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
# Characters of no width: they make two names that look alike differ, or a name that looks empty.
# A byte-order mark or a zero-width space pasted at an edge (from Excel, a web page) is dropped; inside
# a single-line value it is refused. Zero-width joiners stay possible inside a multi-line note (emoji).
ZERO_WIDTH = "\u00ad\u034f\u180e\u200b\u2060-\u2064\ufeff"
JOINERS = "\u200c\u200d"
# Letters and symbols that are drawn as blank space, though not classed as spaces.
BLANK = "\u115f\u1160\u2800\u3164\uffa0"
_EDGES = re.compile(f"^[\\s{ZERO_WIDTH}{JOINERS}]+|[\\s{ZERO_WIDTH}{JOINERS}]+$")
_INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me"})


def strip_invisible(value: str) -> str:
    """`value` without the spaces and zero-width characters at its edges."""
    return _EDGES.sub("", value)


def has_visible(value: str) -> bool:
    """Whether `value` draws something: a character that is not a space, a control, a format or a
    combining mark alone, nor one of the letters drawn blank."""
    return any(c not in BLANK and unicodedata.category(c) not in _INVISIBLE_CATEGORIES for c in value)
