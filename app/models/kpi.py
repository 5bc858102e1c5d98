"""KPI tables: per-unit aggregates kept current in the same transaction as every write (so a KPI
request sums thousands of rows, never millions), targets, and the frozen periodic reports."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, Float, Index, Integer, String, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, UTCDateTime, Versioned, id_field

# Household stock counters, in the order of `app.kpi.aggregates.household_vector`.
HOUSEHOLD_COUNTERS = (
    "households",
    "people",
    "adults",
    "adults_smartphone",
    "adults_digital_skills",
    "adults_vneid",
    "adults_dvc",
    "adults_epay",
    "adults_signature",
    "households_informed",
    "households_digital",
    "business_households",
    "business_cashless",
    "households_need_assistance",
    "households_assisted",
    "households_skilled",
)
ACTIVITY_COUNTERS = ("activities", "people_supported", "online_dossiers", "signatures_created")


class HouseholdCounters(SQLModel):
    households: int = 0
    people: int = 0
    adults: int = 0
    adults_smartphone: int = 0
    adults_digital_skills: int = 0
    adults_vneid: int = 0
    adults_dvc: int = 0
    adults_epay: int = 0
    adults_signature: int = 0
    households_informed: int = 0
    households_digital: int = 0
    business_households: int = 0
    business_cashless: int = 0
    households_need_assistance: int = 0
    households_assisted: int = 0
    households_skilled: int = 0  # with at least one adult with basic digital skills (seed 001)


class ActivityCounters(SQLModel):
    activities: int = 0
    people_supported: int = 0
    online_dossiers: int = 0
    signatures_created: int = 0


class HouseholdStats(HouseholdCounters, table=True):
    """How one village's household stock changed in one month (`month` its first day, Vietnam time):
    its state at the end of a month is the sum of its rows up to that month (`app.kpi.observations`)."""

    __tablename__ = "household_stats"

    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="CASCADE", primary_key=True)
    month: date = Field(sa_type=Date, primary_key=True)


class HouseholdObservation(HouseholdCounters, table=True):
    """A household's counts as observed at `observed_at` (the phone's time of the visit), standing
    until the next observation or its deletion (`valid_to`); the months of both, in Vietnam time, are
    kept so the monthly rows above are sums of these. Counts only: nothing here is personal data."""

    __tablename__ = "household_observations"
    __table_args__ = (
        Index("ix_household_observations_household_id_observed_at", "household_id", "observed_at"),
    )

    id: uuid.UUID = id_field()
    household_id: uuid.UUID = Field(foreign_key="households.id", ondelete="CASCADE", nullable=False)
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="CASCADE", nullable=False, index=True)
    observed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    valid_to: datetime | None = Field(default=None, sa_type=UTCDateTime)
    month_from: date = Field(sa_type=Date, nullable=False)
    month_to: date | None = Field(default=None, sa_type=Date)


class ActivityStats(ActivityCounters, table=True):
    """Sums over the live activities of one unit in one month (`month` is its first day)."""

    __tablename__ = "activity_stats"

    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="CASCADE", primary_key=True)
    month: date = Field(sa_type=Date, primary_key=True)


# Roll-ups (`app.kpi.rollups`): the rows above summed by their owner, a village's parent or the unit
# itself above the village, and the insert-only log of the changes not yet folded into them.


class HouseholdRollup(HouseholdCounters, table=True):
    __tablename__ = "household_rollups"

    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="CASCADE", primary_key=True)
    month: date = Field(sa_type=Date, primary_key=True)


class ActivityRollup(ActivityCounters, table=True):
    __tablename__ = "activity_rollups"

    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="CASCADE", primary_key=True)
    month: date = Field(sa_type=Date, primary_key=True)


DELTA_ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite numbers only an INTEGER key


class HouseholdDelta(HouseholdCounters, table=True):
    __tablename__ = "household_deltas"

    id: int | None = Field(default=None, sa_type=DELTA_ID, primary_key=True)
    unit_id: uuid.UUID  # the owner; no foreign key: checking it would lock a commune's row on every write
    month: date = Field(sa_type=Date)


class ActivityDelta(ActivityCounters, table=True):
    __tablename__ = "activity_deltas"

    id: int | None = Field(default=None, sa_type=DELTA_ID, primary_key=True)
    unit_id: uuid.UUID
    month: date = Field(sa_type=Date)


class MemberStats(SQLModel, table=True):
    """How the active members of one unit's teams changed in a month, and (`year` > 0) how many of
    them trained in `year`: the counts at a month's end are the sums up to that month.

    `year` 0 holds the active count; other rows the active members trained in that year so far."""

    __tablename__ = "member_stats"

    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="CASCADE", primary_key=True)
    year: int = Field(primary_key=True)
    month: date = Field(sa_type=Date, primary_key=True)
    members: int = 0


class Target(Versioned, SQLModel, table=True):
    """A unit's target for an indicator and a year, or (a count's) for a month `2026-06` or a quarter
    `2026-Q2` of that year (`period`; null: the year). One per unit, indicator and period."""

    __tablename__ = "targets"
    __table_args__ = (
        Index(
            "uq_targets_year_target",
            "unit_id",
            "year",
            "indicator",
            unique=True,
            sqlite_where=text("period IS NULL"),
            postgresql_where=text("period IS NULL"),
        ),
        Index(
            "uq_targets_period_target",
            "unit_id",
            "indicator",
            "period",
            unique=True,
            sqlite_where=text("period IS NOT NULL"),
            postgresql_where=text("period IS NOT NULL"),
        ),
    )

    id: uuid.UUID = id_field()
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="CASCADE", nullable=False, index=True)
    year: int = Field(nullable=False)
    indicator: str = Field(sa_type=String(40), nullable=False)
    value: float = Field(sa_type=Float, nullable=False)
    period: str | None = Field(default=None, sa_type=String(7))


class KpiSnapshot(Versioned, SQLModel, table=True):
    """A periodic report: a unit's indicators for a period, frozen, with its approval workflow."""

    __tablename__ = "kpi_snapshots"
    __table_args__ = (UniqueConstraint("unit_id", "period"),)

    id: uuid.UUID = id_field()
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="CASCADE", nullable=False, index=True)
    # `2026-06`, `2026-Q2`, `2026`, or an ad-hoc report's days `2026-06-05..2026-06-20` (both included).
    period: str = Field(sa_type=String(22), nullable=False, index=True)
    # The unit's name and code on the day the figures were frozen: a report keeps them after a rename.
    unit_name: str | None = Field(default=None, sa_type=String(200))
    unit_code: str | None = Field(default=None, sa_type=String(50))
    status: str = Field(default="draft", sa_type=String(12), nullable=False, index=True)
    indicators: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType, nullable=False)
    frozen_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    closed: bool = Field(default=False, nullable=False)
    due_on: date = Field(sa_type=Date, nullable=False)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    submitted_by: str | None = Field(default=None, sa_type=String(100))
    approved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    approved_by: str | None = Field(default=None, sa_type=String(100))
    returned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    returned_by: str | None = Field(default=None, sa_type=String(100))
    return_reason: str | None = Field(default=None, sa_type=String(1000))
    # The written sections every periodic report has (plan 002): results, difficulties, proposals.
    results: str | None = Field(default=None, sa_type=String(4000))
    difficulties: str | None = Field(default=None, sa_type=String(4000))
    proposals: str | None = Field(default=None, sa_type=String(4000))
    # Who signs it, as the document shows them: full name and title, set when it is submitted.
    signer_name: str | None = Field(default=None, sa_type=String(200))
    signer_title: str | None = Field(default=None, sa_type=String(100))
    # The body above the unit on the day the figures were frozen (a village's commune).
    parent_name: str | None = Field(default=None, sa_type=String(200))
    # An ad-hoc report ("báo cáo đột xuất"): the request it answers, who asked and its reference.
    request_by: str | None = Field(default=None, sa_type=String(200))
    request_ref: str | None = Field(default=None, sa_type=String(200))
    # The period's activities, frozen with the figures: by kind of help, and seed 004's four counts.
    by_kind: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType, nullable=False)
    counts: dict[str, Any] | None = Field(default=None, sa_type=JSONType)


class ReportDeadline(Versioned, SQLModel, table=True):
    """When a province's periodic reports are due (`app.kpi.periods.Deadlines`); a province without a
    row keeps plan 002's words: monthly before the 30th, quarterly before the 15th of the quarter's
    last month."""

    __tablename__ = "report_deadlines"

    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="CASCADE", primary_key=True)
    monthly_day: int = Field(default=30, nullable=False)
    monthly_month: str = Field(default="same", sa_type=String(4), nullable=False)
    quarterly_day: int = Field(default=15, nullable=False)
    quarterly_month: str = Field(default="last", sa_type=String(4), nullable=False)
