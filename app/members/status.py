"""When a member is active: not deleted, and not left (`left_on` empty or after today).

The one definition behind `member_count`, the team-deletion guard and the one-active-leader rule.
"""

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import ColumnElement, and_, or_

from app.models import Member

# Vietnam has one time zone (UTC+7, no daylight saving): "today" is the day in Vietnam.
VIETNAM = timezone(timedelta(hours=7), "ICT")


def today() -> date:
    return datetime.now(VIETNAM).date()


def is_active(left_on: date | None, on: date | None = None) -> bool:
    """For a record that is not deleted: still in the team on `on` (today by default)."""
    return left_on is None or left_on > (on or today())


def active_clause(on: date | None = None) -> ColumnElement[bool]:
    """The same rule as a WHERE clause."""
    return and_(Member.deleted_at.is_(None), or_(Member.left_on.is_(None), Member.left_on > (on or today())))
