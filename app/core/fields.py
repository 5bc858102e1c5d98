"""Validated field types for request schemas: what PostgreSQL would reject is refused at the edge."""

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _plausible_date(value: date) -> date:
    if not 1900 <= value.year <= 2100:
        raise ValueError("must be between 1900-01-01 and 2100-12-31")
    return value


def _utc_moment(value: datetime) -> datetime:
    """Years 1900–2100 (PostgreSQL's range; no offset can overflow), converted to UTC so that a
    replayed body compares equal whatever offset the phone sent."""
    if not 1900 <= value.year <= 2100:
        raise ValueError("must be between the years 1900 and 2100")
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def text(max_length: int, min_length: int = 0) -> type[str]:
    """A stripped string without NUL characters, between min_length and max_length characters."""
    return Annotated[  # type: ignore[return-value]
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_no_nul),
    ]


Name = text(200, 1)
ShortText = text(200)
LongText = text(2000)
Code = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), AfterValidator(_no_nul)
]
Username = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=3, max_length=50, pattern=r"^[a-z0-9._-]+$"
    ),
]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128), AfterValidator(_no_nul)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=20, pattern=r"^\+?[0-9 .-]{3,20}$")
]
Query = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), AfterValidator(_no_nul)]
Int32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
Count = Annotated[int, Field(ge=0, le=10_000)]
PlausibleDate = Annotated[date, AfterValidator(_plausible_date)]
# A moment in a query string (`?updated_since=`): any offset, naive read as UTC.
Moment = Annotated[datetime, AfterValidator(_utc_moment)]
# A moment in a body: the offset is required.
AwareMoment = Annotated[AwareDatetime, AfterValidator(_utc_moment)]
