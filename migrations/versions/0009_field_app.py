"""The 10/10 awards: a ranking frozen at its cut-off; reports' written sections and signer

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
REPORT_TEXT = ('results', 'difficulties', 'proposals')


def upgrade() -> None:
    op.create_table(
        'awards',
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('unit_id', sa.Uuid(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('period', sa.String(length=7), nullable=False),
        sa.Column('cutoff_on', sa.Date(), nullable=False),
        sa.Column('weights', JSON, nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('frozen_by', sa.String(length=100), nullable=True),
        sa.Column('ranking', JSON, nullable=True),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_awards_unit_id_units'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_awards')),
    )
    op.create_index(op.f('ix_awards_unit_id'), 'awards', ['unit_id'], unique=False)
    op.create_index(op.f('ix_awards_updated_at'), 'awards', ['updated_at'], unique=False)
    with op.batch_alter_table('kpi_snapshots') as batch:
        for name in REPORT_TEXT:
            batch.add_column(sa.Column(name, sa.String(length=4000), nullable=True))
        batch.add_column(sa.Column('signer_name', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('signer_title', sa.String(length=100), nullable=True))
        batch.add_column(sa.Column('parent_name', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kpi_snapshots') as batch:
        for name in (*REPORT_TEXT, 'signer_name', 'signer_title', 'parent_name'):
            batch.drop_column(name)
    op.drop_index(op.f('ix_awards_updated_at'), table_name='awards')
    op.drop_index(op.f('ix_awards_unit_id'), table_name='awards')
    op.drop_table('awards')
