"""A village's household change feed in its order: households by (unit_id, updated_at, id); the
activities' feed has (unit_id, occurred_at) already

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


def upgrade() -> None:
    op.create_index("ix_households_unit_id_updated_at", "households", ["unit_id", "updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_households_unit_id_updated_at", table_name="households")
