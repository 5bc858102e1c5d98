"""Reports of a period: ad-hoc date ranges, the request they answer, due dates per province

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    # An ad-hoc report's period is its days, `2026-06-05..2026-06-20` (22 characters); the request it
    # answers; the period's activities by kind and seed 004's four counts, frozen with the figures.
    with op.batch_alter_table("kpi_snapshots") as batch:
        batch.alter_column("period", existing_type=sa.String(length=7), type_=sa.String(length=22))
        batch.add_column(sa.Column("request_by", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("request_ref", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("by_kind", JSON, nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("counts", JSON, nullable=True))
    with op.batch_alter_table("kpi_snapshots") as batch:
        batch.alter_column("by_kind", server_default=None)
    op.create_table(
        "report_deadlines",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("monthly_day", sa.Integer(), nullable=False),
        sa.Column("monthly_month", sa.String(length=4), nullable=False),
        sa.Column("quarterly_day", sa.Integer(), nullable=False),
        sa.Column("quarterly_month", sa.String(length=4), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_report_deadlines_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_report_deadlines")),
    )
    op.create_index(op.f("ix_report_deadlines_updated_at"), "report_deadlines", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_report_deadlines_updated_at"), table_name="report_deadlines")
    op.drop_table("report_deadlines")
    op.execute("DELETE FROM kpi_snapshots WHERE length(period) > 7")
    with op.batch_alter_table("kpi_snapshots") as batch:
        batch.drop_column("counts")
        batch.drop_column("by_kind")
        batch.drop_column("request_ref")
        batch.drop_column("request_by")
        batch.alter_column("period", existing_type=sa.String(length=22), type_=sa.String(length=7))
