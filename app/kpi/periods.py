"""Reporting periods (`2026-06`, `2026-Q2`, `2026`) and their due dates (plan 002: monthly reports
before the 30th, quarterly before the 15th of the quarter's last month)."""

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Literal

from app.core.errors import Invalid

VIETNAM = timezone(timedelta(hours=7), "ICT")  # no daylight saving: a fixed offset is exact
PATTERN = re.compile(r"^(\d{4})(?:-(?:(0[1-9]|1[0-2])|Q([1-4])))?$")


@dataclass(frozen=True)
class Period:
    code: str
    kind: Literal["month", "quarter", "year", "range"]
    year: int
    start: date  # first day
    end: date  # first day after

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    def months(self) -> list[date]:
        months, current = [], self.start
        while current < self.end:
            months.append(current)
            current = next_month(current)
        return months

    @property
    def due_on(self) -> date:
        last_month = self.months()[-1]
        if self.kind == "month":
            return last_month.replace(day=min(30, calendar.monthrange(last_month.year, last_month.month)[1]))
        return last_month.replace(day=15)  # a quarter's or a year's last month, the 15th

    def is_late(self, submitted_at: datetime | None, now: datetime | None = None) -> bool:
        """Submitted after the due day ended (Vietnam time), or still not submitted after it."""
        moment = submitted_at or now or datetime.now(UTC)
        return moment.astimezone(VIETNAM).date() > self.due_on


def window(start: date, end: date, code: str | None = None) -> Period:
    """Any span of days [start, end): an ad-hoc report's, a campaign's, an award's up to its cut-off.
    Its stock is the state at the end of its last day, its flows the events dated inside it."""
    if end <= start:
        raise Invalid("the end must come after the start", loc=["query", "end"])
    return Period(code or f"{start.isoformat()}..{(end - timedelta(days=1)).isoformat()}", "range",
                  start.year, start, end)  # fmt: skip


def local_today() -> date:
    """Today in Vietnam: the day periods and effective dates are counted in."""
    return datetime.now(VIETNAM).date()


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def parse_period(text: str) -> Period:
    match = PATTERN.match(text or "")
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise Invalid(
            "period must look like 2026-06, 2026-Q2 or 2026 (years 2000–2100)", loc=["query", "period"]
        )
    year, month, quarter = int(match.group(1)), match.group(2), match.group(3)
    if month:
        start = date(year, int(month), 1)
        return Period(text, "month", year, start, next_month(start))
    if quarter:
        start = date(year, 3 * int(quarter) - 2, 1)
        return Period(text, "quarter", year, start, next_month(next_month(next_month(start))))
    return Period(text, "year", year, date(year, 1, 1), date(year + 1, 1, 1))


def month_of(moment: datetime) -> date:
    """The first day of the month a moment falls in, in Vietnam."""
    return moment.astimezone(VIETNAM).date().replace(day=1)


def previous_month(today: date) -> Period:
    first = today.replace(day=1) - timedelta(days=1)
    return parse_period(f"{first.year}-{first.month:02d}")
