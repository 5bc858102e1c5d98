"""A village's activity change feed in its order: activities by (unit_id, updated_at, id)

The feed is ordered by (updated_at, id), not by occurred_at: with only the time's own index,
PostgreSQL walked every activity in time order to find a village's first page (a village of 427
activities among 1.4 million: 450 ms; seconds under the field load).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 19:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_activities_unit_id_updated_at", "activities", ["unit_id", "updated_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_activities_unit_id_updated_at", table_name="activities")
