"""Reporting periods (`2026-06`, `2026-Q2`, `2026`, an ad-hoc report's `2026-06-05..2026-06-20`) and
their due dates (plan 002: monthly reports "trước ngày 30 hằng tháng", quarterly "trước ngày 15 của
tháng cuối quý"; a province may set its own, `Deadlines`).

A due date is the day a report is due *before*, as the plans word it: sent on that day, it is late."""

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
        """The day the report is due before, by plan 002's rule (`PLAN_002`)."""
        return PLAN_002.due_on(self)

    def is_late(self, submitted_at: datetime | None, now: datetime | None = None) -> bool:
        """Submitted on or after the due day (Vietnam time), or still not submitted by then."""
        return is_late(self.due_on, submitted_at, now)


def is_late(due_on: date, submitted_at: datetime | None, now: datetime | None = None) -> bool:
    """A report due before `due_on` is late when sent that day or later ("trước ngày 30": the 30th is
    late), or when it is that day or later and it is not sent; days are Vietnam's."""
    moment = submitted_at or now or datetime.now(UTC)
    return moment.astimezone(VIETNAM).date() >= due_on


def _before(year: int, month: int, day: int) -> date:
    """ "Before day `day` of the month": that day, or the next month's first when the month is
    shorter ("trước ngày 30" of February: before it ends)."""
    if month > 12:
        year, month = year + 1, month - 12
    if day > calendar.monthrange(year, month)[1]:
        return next_month(date(year, month, 1))
    return date(year, month, day)


@dataclass(frozen=True)
class Deadlines:
    """When a province's periodic reports are due: before `monthly_day` of the report's month (or of
    the next one), before `quarterly_day` of the quarter's last month (or of the month after it). A
    year's report is due as its last quarter's. Defaults: plan 002's words."""

    monthly_day: int = 30
    monthly_month: Literal["same", "next"] = "same"
    quarterly_day: int = 15
    quarterly_month: Literal["last", "next"] = "last"

    def due_on(self, period: "Period") -> date:
        last = period.months()[-1]
        if period.kind == "month":
            return _before(last.year, last.month + (self.monthly_month == "next"), self.monthly_day)
        if period.kind == "range":
            return period.end  # an ad-hoc report's is its request's; by default, by its last day
        return _before(last.year, last.month + (self.quarterly_month == "next"), self.quarterly_day)


PLAN_002 = Deadlines()


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


RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


def parse_report_period(text: str) -> Period:
    """A report's period: a month, quarter or year (`parse_period`), or an ad-hoc report's days
    `2026-06-05..2026-06-20` (both included; the code `window` gives)."""
    match = RANGE.match(text or "")
    if not match:
        return parse_period(text)
    try:
        start, last = date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))
    except ValueError:
        raise Invalid("not a date range: 2026-06-05..2026-06-20", loc=["query", "period"]) from None
    if not (start.year >= 2000 and last.year <= 2100) or last < start:
        raise Invalid("a range's days are in order, in the years 2000–2100", loc=["query", "period"])
    return window(start, last + timedelta(days=1))


def month_of(moment: datetime) -> date:
    """The first day of the month a moment falls in, in Vietnam."""
    return moment.astimezone(VIETNAM).date().replace(day=1)


def previous_month(today: date) -> Period:
    first = today.replace(day=1) - timedelta(days=1)
    return parse_period(f"{first.year}-{first.month:02d}")
