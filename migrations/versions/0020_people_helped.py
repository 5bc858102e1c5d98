"""Who was helped and with what: groups of people, kinds of help, channels, urban or rural villages

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 00:00:00

Activities count, of the people helped, the elderly, people with disabilities, ethnic minorities,
students or pupils and workers (plans 004, 000), and a communication its channel and reach; a village
is urban or rural (004); a business household counts its OCOP products and its products on e-commerce
platforms (000, 001). The new kinds of help need no change: `kind` is a string. Every count starts at
0 for the rows already there (nothing was recorded), the new text columns at null.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUPS = ("elderly_count", "disabled_count", "minority_count", "student_count", "worker_count")
BUSINESS_COUNTS = ("ocop_products", "ecommerce_listings")


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), server_default="0", nullable=False)


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        for name in GROUPS:
            batch.add_column(_count(name))
        batch.add_column(sa.Column("channel", sa.String(length=20), nullable=True))
        batch.add_column(_count("reach_count"))
    with op.batch_alter_table("units") as batch:
        batch.add_column(sa.Column("settlement", sa.String(length=10), nullable=True))
    with op.batch_alter_table("households") as batch:
        for name in BUSINESS_COUNTS:
            batch.add_column(_count(name))


def downgrade() -> None:
    with op.batch_alter_table("households") as batch:
        for name in reversed(BUSINESS_COUNTS):
            batch.drop_column(name)
    with op.batch_alter_table("units") as batch:
        batch.drop_column("settlement")
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("reach_count")
        batch.drop_column("channel")
        for name in reversed(GROUPS):
            batch.drop_column(name)
