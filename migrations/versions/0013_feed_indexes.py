"""A village's change feeds in their order: households and activities by (unit_id, updated_at, id)

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 20:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("households", "activities")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_unit_id_updated_at", table, ["unit_id", "updated_at", "id"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_unit_id_updated_at", table_name=table)
