"""Targets by period: a count target for a month or a quarter

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

YEAR_ONLY = sa.text("period IS NULL")
PERIOD_ONLY = sa.text("period IS NOT NULL")


def upgrade() -> None:
    # One target per unit, indicator and period: the year's (period null) unique by year, a month's or
    # a quarter's by its period (which names its year). Two partial indexes, the same on both databases.
    with op.batch_alter_table("targets") as batch:
        batch.add_column(sa.Column("period", sa.String(length=7), nullable=True))
        batch.drop_constraint("uq_targets_unit_id_year_indicator", type_="unique")
    op.create_index(
        "uq_targets_year_target",
        "targets",
        ["unit_id", "year", "indicator"],
        unique=True,
        sqlite_where=YEAR_ONLY,
        postgresql_where=YEAR_ONLY,
    )
    op.create_index(
        "uq_targets_period_target",
        "targets",
        ["unit_id", "indicator", "period"],
        unique=True,
        sqlite_where=PERIOD_ONLY,
        postgresql_where=PERIOD_ONLY,
    )


def downgrade() -> None:
    op.drop_index("uq_targets_period_target", table_name="targets")
    op.drop_index("uq_targets_year_target", table_name="targets")
    op.execute("DELETE FROM targets WHERE period IS NOT NULL")
    with op.batch_alter_table("targets") as batch:
        batch.drop_column("period")
        batch.create_unique_constraint("uq_targets_unit_id_year_indicator", ["unit_id", "year", "indicator"])
