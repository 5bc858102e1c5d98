"""Personal data (Law 91/2025/QH15): households' consent, and the access log of personal fields read

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 14:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("households") as batch:
        batch.add_column(sa.Column("consent_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("consent_by", sa.String(length=100), nullable=True))
    op.create_table(
        "access_log",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("actor_name", sa.String(length=100), nullable=False),
        sa.Column("actor_kind", sa.String(length=10), nullable=False),
        sa.Column("route", sa.String(length=200), nullable=False),
        sa.Column("resource", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=True),
        sa.Column("record_ids", sa.Text(), nullable=True),
        sa.Column("filter", sa.String(length=500), nullable=True),
        sa.Column("file", sa.String(length=200), nullable=True),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("fold_key", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index("uq_access_log_fold", "access_log", ["actor_id", "day", "fold_key"], unique=True)
    for column in ("actor_id", "day", "last_at", "record_id", "unit_id"):
        op.create_index(op.f(f"ix_access_log_{column}"), "access_log", [column], unique=False)


def downgrade() -> None:
    for column in ("actor_id", "day", "last_at", "record_id", "unit_id"):
        op.drop_index(op.f(f"ix_access_log_{column}"), table_name="access_log")
    op.drop_index("uq_access_log_fold", table_name="access_log")
    op.drop_table("access_log")
    with op.batch_alter_table("households") as batch:
        batch.drop_column("consent_by")
        batch.drop_column("consent_on")
