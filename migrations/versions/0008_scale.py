"""Households in the order of Vietnamese name lists: a stored sort key and the index the list uses

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-28 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.text import name_key

revision: str = '0008'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000
LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table('households') as batch:
        batch.add_column(sa.Column('sort_key', sa.String(length=200), server_default='', nullable=False))
        batch.drop_index('ix_households_unit_id_head_name')
    connection, last = op.get_bind(), None
    while rows := connection.execute(
        sa.text(
            "SELECT id, head_name FROM households"
            + (" WHERE id > :last" if last else "")
            + " ORDER BY id LIMIT :n"
        ),
        {"last": last, "n": BATCH},
    ).all():
        connection.execute(
            sa.text("UPDATE households SET sort_key = :key WHERE id = :id"),
            [{"id": row[0], "key": name_key(row[1])[:200]} for row in rows],
        )
        last = rows[-1][0]
    op.create_index(
        'ix_households_unit_id_sort_key',
        'households',
        ['unit_id', 'sort_key', 'id'],
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index('ix_households_unit_id_sort_key', table_name='households')
    with op.batch_alter_table('households') as batch:
        batch.create_index('ix_households_unit_id_head_name', ['unit_id', 'head_name'], unique=False)
        batch.drop_column('sort_key')
