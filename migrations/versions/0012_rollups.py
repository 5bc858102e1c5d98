"""KPI roll-ups: the per-unit aggregates summed by owner (a village's parent), and the insert-only log
of the changes not yet folded into them

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HOUSEHOLD_COUNTERS = (
    "households", "people", "adults", "adults_smartphone", "adults_digital_skills", "adults_vneid",
    "adults_dvc", "adults_epay", "adults_signature", "households_informed", "households_digital",
    "business_households", "business_cashless", "households_need_assistance", "households_assisted",
)  # fmt: skip
ACTIVITY_COUNTERS = ("activities", "people_supported", "online_dossiers", "signatures_created")
DELTA_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
OWNER = "COALESCE(CASE WHEN u.level = 'village' THEN u.parent_id END, u.id)"


def _counters(names):
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def _owner_key(table: str) -> list:
    name = op.f(f"fk_{table}_unit_id_units")
    return [
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=name, ondelete="CASCADE"),
    ]


def upgrade() -> None:
    op.create_table(
        "household_rollups",
        *_counters(HOUSEHOLD_COUNTERS),
        *_owner_key("household_rollups"),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_household_rollups")),
    )
    op.create_table(
        "activity_rollups",
        *_counters(ACTIVITY_COUNTERS),
        *_owner_key("activity_rollups"),
        sa.Column("month", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("unit_id", "month", name=op.f("pk_activity_rollups")),
    )
    op.create_table(
        "household_deltas",
        *_counters(HOUSEHOLD_COUNTERS),
        sa.Column("id", DELTA_ID, nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_deltas")),
    )
    op.create_table(
        "activity_deltas",
        *_counters(ACTIVITY_COUNTERS),
        sa.Column("id", DELTA_ID, nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_deltas")),
    )
    # The roll-ups of the aggregates already kept.
    for table, source, keys, counters in (
        ("household_rollups", "household_stats", (), HOUSEHOLD_COUNTERS),
        ("activity_rollups", "activity_stats", ("month",), ACTIVITY_COUNTERS),
    ):
        group = ", ".join(["owner", *(f"s.{k}" for k in keys)])
        op.execute(
            f"INSERT INTO {table} (unit_id, {', '.join((*keys, *counters))}) "
            f"SELECT owner, {', '.join((*(f's.{k}' for k in keys), *(f'sum(s.{c})' for c in counters)))} "
            f"FROM (SELECT s.*, {OWNER} AS owner FROM {source} s JOIN units u ON u.id = s.unit_id) s "
            f"GROUP BY {group}"
        )


def downgrade() -> None:
    for table in ("activity_deltas", "household_deltas", "activity_rollups", "household_rollups"):
        op.drop_table(table)
