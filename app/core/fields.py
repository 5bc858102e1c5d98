"""Validated field types for request schemas: what PostgreSQL would reject, or what would break a
later export, header or log line, is refused at the edge.

Free text is `text()`: stripped, bounded, and without control characters (C0, DEL, C1, and lone
surrogates, which no database can store); line breaks and tabs only in a multi-line field (notes,
reasons), which the OpenAPI document marks with `x-multiline`. Nor can it spoof a reader: no
bidirectional controls (which reorder what follows), no zero-width characters (dropped at the edges,
refused inside; joiners allowed inside a multi-line note), and a value that is not empty draws at least
one visible character. Stored text that predates these rules is cleaned by `printable()` wherever it is
written out (exports, file names).
"""

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, StrictBool, StringConstraints

from app.core.text import BIDI_CONTROLS, JOINERS, ZERO_WIDTH, has_visible, strip_invisible

# Refused in every field: C0 controls but tab and line breaks, DEL, C1 controls, lone surrogates.
_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff"
# Refused in a single-line field too: tab, line feed, carriage return, line and paragraph separators.
_BREAK = "\t\n\r\u2028\u2029"
MULTI_LINE_REFUSED = re.compile(f"[{_CONTROL}]")
SINGLE_LINE_REFUSED = re.compile(f"[{_CONTROL}{_BREAK}]")
# What could make text read as other text: refused in free text (after the edges are stripped).
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
MULTI_LINE_HIDDEN = re.compile(f"[{BIDI_CONTROLS}{ZERO_WIDTH}]")
SINGLE_LINE_HIDDEN = re.compile(f"[{BIDI_CONTROLS}{ZERO_WIDTH}{JOINERS}]")


def _refusing(pattern: re.Pattern[str]):
    """A check of the raw value, before stripping: `str.strip()` would silently drop a trailing U+0085.
    (After the constraints in `Annotated`, so that it runs first and the constraints stay one schema.)"""

    def check(value):
        if isinstance(value, str) and (found := pattern.search(value)):
            char = found.group()
            what = "line breaks or tabs" if char in _BREAK else "control characters"
            raise ValueError(f"must not contain {what} (U+{ord(char):04X})")
        return value

    return check


class _MultiLine:
    """Marks a multi-line field in the JSON schema (`x-multiline: true`), so a client knows to offer a
    text area, and the test walking every request field knows which may hold line breaks."""

    def __get_pydantic_json_schema__(self, core_schema, handler):
        schema = handler(core_schema)
        schema["x-multiline"] = True
        return schema


def _unspoofable(hidden: re.Pattern[str]):
    """Invisible characters dropped at the edges, then bidirectional controls and (for `hidden`)
    zero-width characters refused anywhere."""

    def check(value):
        if not isinstance(value, str):
            return value
        value = strip_invisible(value)
        if found := hidden.search(value):
            char = found.group()
            what = "bidirectional controls" if _BIDI.match(char) else "invisible characters"
            raise ValueError(f"must not contain {what} (U+{ord(char):04X})")
        return value

    return check


def _visible(value: str) -> str:
    if value and not has_visible(value):
        raise ValueError("must contain a visible character")
    return value


_single_line = BeforeValidator(_refusing(SINGLE_LINE_REFUSED))
_multi_line = BeforeValidator(_refusing(MULTI_LINE_REFUSED))
_single_line_shown = BeforeValidator(_unspoofable(SINGLE_LINE_HIDDEN))
_multi_line_shown = BeforeValidator(_unspoofable(MULTI_LINE_HIDDEN))
_shown = AfterValidator(_visible)


def printable(value: str, *, multiline: bool = False) -> str:
    """`value` without what `text()` refuses: for text stored before the rules, on its way out. In a
    single-line value a line break or tab becomes a space."""
    if multiline:
        return MULTI_LINE_HIDDEN.sub("", MULTI_LINE_REFUSED.sub("", value))
    return re.sub(f"[{_BREAK}]", " ", SINGLE_LINE_HIDDEN.sub("", MULTI_LINE_REFUSED.sub("", value)))


def _plausible_date(value: date) -> date:
    if not 1900 <= value.year <= 2100:
        raise ValueError("must be between 1900-01-01 and 2100-12-31")
    return value


def utc_moment(value: datetime) -> datetime:
    """Years 1900–2100 (PostgreSQL's range; no offset can overflow), converted to UTC so that a
    replayed body compares equal whatever offset the phone sent."""
    if not 1900 <= value.year <= 2100:
        raise ValueError("must be between the years 1900 and 2100")
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


CLOCK_SKEW = timedelta(minutes=5)  # a phone's clock may run this far ahead of the server's
OBSERVED_WITHIN = timedelta(days=366)  # how far back an observation may be dated


def _observed(value: datetime) -> datetime:
    """When a fact was seen: not in the future (beyond clock skew), not more than a year back."""
    now = datetime.now(UTC)
    if value > now + CLOCK_SKEW:
        raise ValueError("cannot be in the future (the phone's clock may be wrong)")
    if value < now - OBSERVED_WITHIN:
        raise ValueError("cannot be more than a year ago")
    return value


# Vietnam's one time zone (UTC+7, no daylight saving): what "today" means for a date a user types.
VIETNAM = timezone(timedelta(hours=7), "ICT")


def _not_ahead(value: datetime) -> datetime:
    """A moment that has happened: not in the future beyond clock skew."""
    if value > datetime.now(UTC) + CLOCK_SKEW:
        raise ValueError("cannot be in the future")
    return value


def _not_after_today(value: date) -> date:
    """A day that has come, in Vietnam (with the clock skew a phone may have around midnight)."""
    if value > (datetime.now(UTC) + CLOCK_SKEW).astimezone(VIETNAM).date():
        raise ValueError("cannot be in the future")
    return value


def text(max_length: int, min_length: int = 0, *, multiline: bool = False) -> type[str]:
    """Free text: stripped, between min_length and max_length characters, without control characters,
    bidirectional controls or zero-width characters (dropped at the edges), and, when not empty, with
    a visible character; line breaks and tabs only when `multiline`. (Validators run from the last
    before-validator back to the constraints, then the after-validators.)"""
    bounds = StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)
    if multiline:
        return Annotated[str, bounds, _shown, _multi_line_shown, _multi_line, _MultiLine()]  # type: ignore[return-value]
    return Annotated[str, bounds, _shown, _single_line_shown, _single_line]  # type: ignore[return-value]


Name = text(200, 1)
ShortText = text(200)
LongText = text(2000, multiline=True)
Code = text(50, 1)
Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=3, max_length=50, pattern=r"^[a-z0-9._-]+$"
    ),
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128), _single_line]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=20, pattern=r"^\+?[0-9 .-]{3,20}$")
]


def _decoded(value: str) -> str:
    """A query string's bytes that are not UTF-8 reach us as U+FFFD (Starlette decodes with
    `errors="replace"`): a search for them would find nothing and say so with a 200."""
    if "\ufffd" in value:
        raise ValueError("must be UTF-8 text (the query string held bytes that are not)")
    return value


# A search text in a query string (`?q=`).
Query = Annotated[text(100), AfterValidator(_decoded)]
# A secret the server handed out (a refresh token): URL-safe base64, nothing else.
Token = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")]
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Count = Annotated[int, Field(ge=0, le=10_000)]
PlausibleDate = Annotated[date, AfterValidator(_plausible_date)]
# A moment in a query string (`?updated_since=`): any offset, naive read as UTC.
Moment = Annotated[datetime, AfterValidator(utc_moment)]
# A moment in a body: the offset is required.
AwareMoment = Annotated[AwareDatetime, AfterValidator(utc_moment)]
# A moment or a day something happened (a visit, a consent, a founding decision): not ahead of now.
PastMoment = Annotated[AwareDatetime, AfterValidator(utc_moment), AfterValidator(_not_ahead)]
PastDate = Annotated[date, AfterValidator(_plausible_date), AfterValidator(_not_after_today)]
# A yes or no in a JSON body: `true` or `false`, never "no", 0 or "off" (pydantic's lax bool takes
# "no" as false and "yes" as true: `"read_only": "no"` made a read-write key).
Flag = StrictBool
# When the facts of a write were seen (the phone's time of a visit): within the last year, not ahead.
ObservedMoment = Annotated[AwareDatetime, AfterValidator(utc_moment), AfterValidator(_observed)]
