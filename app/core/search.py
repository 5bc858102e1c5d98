"""The one search filter behind every `?q=`: fold the text, make LIKE's wildcards literal, match anywhere.

Columns searched hold folded text already (`fold` at write time), so `nguyen` finds `Nguyễn` and an
index (a trigram index on PostgreSQL) can serve the match.
"""

from sqlalchemy import ColumnElement, bindparam, or_

from app.core.text import fold

ESCAPE = "\\"


def like_pattern(q: str | None) -> str | None:
    """`%<folded q>%` with `%`, `_` and the escape character itself escaped; None when nothing is left."""
    folded = fold(q or "")
    if not folded:
        return None
    for char in (ESCAPE, "%", "_"):
        folded = folded.replace(char, ESCAPE + char)
    return f"%{folded}%"


def matches(q: str | None, *columns: ColumnElement[str]) -> ColumnElement[bool] | None:
    """Any of the (folded) columns contains `q`, folded and taken literally; None without a search."""
    pattern = like_pattern(q)
    if pattern is None:
        return None
    return or_(*(column.like(pattern, escape=ESCAPE) for column in columns))


def template(column: ColumnElement[str], name: str = "q") -> ColumnElement[bool]:
    """`matches` on one column for every search, the pattern left as the parameter `name`
    (its value: `like_pattern(q)`)."""
    return column.like(bindparam(name), escape=ESCAPE)
