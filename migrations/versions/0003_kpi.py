"""kpi

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:08:08.808700
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('activity_stats',
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('activities', sa.Integer(), nullable=False),
    sa.Column('people_supported', sa.Integer(), nullable=False),
    sa.Column('online_dossiers', sa.Integer(), nullable=False),
    sa.Column('signatures_created', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_activity_stats_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', 'month', name=op.f('pk_activity_stats'))
    )
    op.create_table('household_stats',
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('people', sa.Integer(), nullable=False),
    sa.Column('adults', sa.Integer(), nullable=False),
    sa.Column('adults_smartphone', sa.Integer(), nullable=False),
    sa.Column('adults_digital_skills', sa.Integer(), nullable=False),
    sa.Column('adults_vneid', sa.Integer(), nullable=False),
    sa.Column('adults_dvc', sa.Integer(), nullable=False),
    sa.Column('adults_epay', sa.Integer(), nullable=False),
    sa.Column('adults_signature', sa.Integer(), nullable=False),
    sa.Column('households_informed', sa.Integer(), nullable=False),
    sa.Column('households_digital', sa.Integer(), nullable=False),
    sa.Column('business_households', sa.Integer(), nullable=False),
    sa.Column('business_cashless', sa.Integer(), nullable=False),
    sa.Column('households_need_assistance', sa.Integer(), nullable=False),
    sa.Column('households_assisted', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_household_stats_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_household_stats'))
    )
    op.create_table('kpi_snapshots',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('indicators', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by', sa.String(length=100), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_by', sa.String(length=100), nullable=True),
    sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('returned_by', sa.String(length=100), nullable=True),
    sa.Column('return_reason', sa.String(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_kpi_snapshots_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_snapshots')),
    sa.UniqueConstraint('unit_id', 'period', name=op.f('uq_kpi_snapshots_unit_id_period'))
    )
    with op.batch_alter_table('kpi_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_snapshots_period'), ['period'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_snapshots_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_snapshots_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kpi_snapshots_updated_at'), ['updated_at'], unique=False)

    op.create_table('member_stats',
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_member_stats_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', 'year', name=op.f('pk_member_stats'))
    )
    op.create_table('targets',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=40), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_targets_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_targets')),
    sa.UniqueConstraint('unit_id', 'year', 'indicator', name=op.f('uq_targets_unit_id_year_indicator'))
    )
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_targets_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_targets_updated_at'), ['updated_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_targets_updated_at'))
        batch_op.drop_index(batch_op.f('ix_targets_unit_id'))

    op.drop_table('targets')
    op.drop_table('member_stats')
    with op.batch_alter_table('kpi_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_snapshots_updated_at'))
        batch_op.drop_index(batch_op.f('ix_kpi_snapshots_unit_id'))
        batch_op.drop_index(batch_op.f('ix_kpi_snapshots_status'))
        batch_op.drop_index(batch_op.f('ix_kpi_snapshots_period'))

    op.drop_table('kpi_snapshots')
    op.drop_table('household_stats')
    op.drop_table('activity_stats')
