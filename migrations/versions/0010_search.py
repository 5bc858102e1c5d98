"""One search filter: users get a folded search text; households' search text takes in the address

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 11:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.text import fold

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def _refold(table: str, columns: str, compute) -> None:
    """Recompute `search_text` for every row, a batch at a time (ids in order)."""
    connection = op.get_bind()
    last = None
    while True:
        query = f"SELECT id, {columns} FROM {table}" + (" WHERE id > :last" if last else "") + " ORDER BY id LIMIT :n"
        rows = connection.execute(sa.text(query), {"last": last, "n": BATCH}).all()
        if not rows:
            return
        connection.execute(
            sa.text(f"UPDATE {table} SET search_text = :text WHERE id = :id"),
            [{"id": row[0], "text": compute(*row[1:])} for row in rows],
        )
        last = rows[-1][0]


def _household(head_name, code, phone, address) -> str:
    """app.households.rules.search_text as it stands at this revision (a migration is history)."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    parts = (fold(head_name), fold(code or ""), digits, fold(address or ""))
    return " ".join(part for part in parts if part)[:300]


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('search_text', sa.String(length=260), server_default='', nullable=False))
    _refold('users', 'username, full_name', lambda username, name: f"{fold(username)} {fold(name)}")
    _refold('households', 'head_name, code, phone, address', _household)


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('search_text')
