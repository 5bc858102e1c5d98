"""Through time: household observations with their own time, monthly household and member aggregates

Every household write is now an observation valid from the moment it was seen until the next one
(`household_observations`); the village aggregates, their roll-ups and deltas, and the member counts
are kept by month (the changes of the month), so a period's stock is the sum of its months up to its
end. Each household standing today becomes one observation from when it was recorded (until its
deletion, for a deleted one): the history before this migration is not known. Households with a
member with basic digital skills are a new counter (`households_skilled`).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 00:00:00
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOUSEHOLD_COUNTERS = (
    "households", "people", "adults", "adults_smartphone", "adults_digital_skills", "adults_vneid",
    "adults_dvc", "adults_epay", "adults_signature", "households_informed", "households_digital",
    "business_households", "business_cashless", "households_need_assistance", "households_assisted",
    "households_skilled",
)  # fmt: skip
# Each counter of one household, as SQL over the households table `h`.
VECTOR = (
    "1", "h.members_count", "h.adults_count", "h.adults_smartphone", "h.adults_digital_skills",
    "h.adults_vneid", "h.adults_dvc", "h.adults_epay", "h.adults_signature",
    "CASE WHEN h.informed THEN 1 ELSE 0 END", "CASE WHEN h.has_digital_member THEN 1 ELSE 0 END",
    "CASE WHEN h.is_business THEN 1 ELSE 0 END",
    "CASE WHEN h.is_business AND h.business_cashless THEN 1 ELSE 0 END",
    "CASE WHEN h.needs_assistance THEN 1 ELSE 0 END",
    "CASE WHEN h.needs_assistance AND h.assigned_member_id IS NOT NULL THEN 1 ELSE 0 END",
    "CASE WHEN h.adults_digital_skills > 0 THEN 1 ELSE 0 END",
)  # fmt: skip
DELTA_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OWNER = "COALESCE(CASE WHEN u.level = 'village' THEN u.parent_id END, u.id)"
VIETNAM = timezone(timedelta(hours=7))


def _counters():
    return [sa.Column(name, sa.Integer(), nullable=False) for name in HOUSEHOLD_COUNTERS]


def _unit(table: str, primary: bool = True) -> list:
    return [
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f(f"fk_{table}_unit_id_units"), ondelete="CASCADE"
        ),
    ]


def _month(column: str) -> str:
    """The first day of the month a UTC moment falls in, in Vietnam."""
    if op.get_bind().dialect.name == "postgresql":
        return f"(date_trunc('month', {column} AT TIME ZONE 'Asia/Ho_Chi_Minh'))::date"
    return f"date({column}, '+7 hours', 'start of month')"


def upgrade() -> None:
    for table in ("household_deltas", "household_rollups", "household_stats", "member_stats"):
        op.drop_table(table)
    op.create_table(
        "household_stats",
        *_counters(),
        *_unit("household_stats"),
        sa.Column("month", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "month", name=op.f("pk_household_stats")),
    )
    op.create_table(
        "household_rollups",
        *_counters(),
        *_unit("household_rollups"),
        sa.Column("month", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "month", name=op.f("pk_household_rollups")),
    )
    op.create_table(
        "household_deltas",
        *_counters(),
        sa.Column("id", DELTA_ID, nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_deltas")),
    )
    op.create_table(
        "member_stats",
        *_unit("member_stats"),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "year", "month", name=op.f("pk_member_stats")),
    )
    op.create_table(
        "household_observations",
        *_counters(),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        *_unit("household_observations"),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("month_from", sa.Date(), nullable=False),
        sa.Column("month_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_household_observations_household_id_households"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_observations")),
    )
    with op.batch_alter_table("household_observations") as batch:
        batch.create_index(
            "ix_household_observations_household_id_observed_at", ["household_id", "observed_at"]
        )
        batch.create_index(batch.f("ix_household_observations_unit_id"), ["unit_id"])

    # Each household as one observation from when it was recorded, until its deletion.
    counters = ", ".join(HOUSEHOLD_COUNTERS)
    op.execute(
        f"INSERT INTO household_observations (id, household_id, unit_id, observed_at, valid_to, month_from, "
        f"month_to, {counters}) SELECT h.id, h.id, h.unit_id, h.created_at, h.deleted_at, "
        f"{_month('h.created_at')}, "
        f"CASE WHEN h.deleted_at IS NULL THEN NULL ELSE {_month('h.deleted_at')} END, {', '.join(VECTOR)} "
        f"FROM households h"
    )
    # The villages' months: what started in each less what ended in it.
    started = ", ".join(f"sum({c}) AS {c}" for c in HOUSEHOLD_COUNTERS)
    ended = ", ".join(f"-sum({c}) AS {c}" for c in HOUSEHOLD_COUNTERS)
    summed = ", ".join(f"sum({c})" for c in HOUSEHOLD_COUNTERS)
    op.execute(
        f"INSERT INTO household_stats (unit_id, month, {counters}) SELECT unit_id, month, {summed} FROM ("
        f"SELECT unit_id, month_from AS month, {started} FROM household_observations "
        f"GROUP BY unit_id, month_from "
        f"UNION ALL SELECT unit_id, month_to, {ended} FROM household_observations WHERE month_to IS NOT NULL "
        f"GROUP BY unit_id, month_to) s GROUP BY unit_id, month"
    )
    op.execute(
        f"INSERT INTO household_rollups (unit_id, month, {counters}) "
        f"SELECT owner, month, {', '.join(f'sum(s.{c})' for c in HOUSEHOLD_COUNTERS)} "
        f"FROM (SELECT s.*, {OWNER} AS owner FROM household_stats s JOIN units u ON u.id = s.unit_id) s "
        f"GROUP BY owner, month"
    )
    _member_months()


def _member_months() -> None:
    """The member counts by month: active from joining (else from being recorded) until leaving or
    deletion, in an active team until its deletion; trained in a year from the first training then."""
    bind = op.get_bind()

    def day(moment):
        if moment is None:
            return None
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(VIETNAM).date()

    def as_date(value):
        return date.fromisoformat(value) if isinstance(value, str) else value

    first: dict[str, dict[int, date]] = defaultdict(dict)  # member: {year: first training}
    for member_id, held_on in bind.execute(
        sa.text(
            "SELECT a.member_id, t.held_on FROM training_attendance a "
            "JOIN trainings t ON t.id = a.training_id"
        )
    ):
        held_on, years = as_date(held_on), first[str(member_id)]
        years[held_on.year] = min(years.get(held_on.year, held_on), held_on)
    counts: dict[tuple, int] = defaultdict(int)
    rows = bind.execute(
        sa.text(
            "SELECT m.id, m.unit_id, m.joined_on, m.left_on, m.created_at, m.deleted_at, t.deleted_at "
            "FROM members m JOIN teams t ON t.id = m.team_id WHERE t.status = 'active'"
        )
    )
    for member_id, unit_id, joined_on, left_on, created_at, deleted_at, team_deleted_at in rows:
        start = as_date(joined_on) or day(created_at)
        ends = [d for d in (as_date(left_on), day(deleted_at), day(team_deleted_at)) if d is not None]
        end = min(ends) if ends else None
        if end is not None and end <= start:
            continue
        unit_id = unit_id if isinstance(unit_id, uuid.UUID) else uuid.UUID(str(unit_id))
        counts[(unit_id, 0, start.replace(day=1))] += 1
        if end is not None:
            counts[(unit_id, 0, end.replace(day=1))] -= 1
        for year, trained_on in first.get(str(member_id), {}).items():
            since = max(trained_on, start)
            if since.year == year and (end is None or since < end):
                counts[(unit_id, year, since.replace(day=1))] += 1
                if end is not None:
                    counts[(unit_id, year, end.replace(day=1))] -= 1
    table = sa.table(
        "member_stats", sa.column("unit_id", sa.Uuid()), sa.column("year", sa.Integer()),
        sa.column("month", sa.Date()), sa.column("members", sa.Integer()),
    )  # fmt: skip
    values = [{"unit_id": u, "year": y, "month": m, "members": n} for (u, y, m), n in counts.items() if n]
    if values:
        op.bulk_insert(table, values)


def downgrade() -> None:
    raise NotImplementedError("the history of households cannot be folded back into one state per village")
