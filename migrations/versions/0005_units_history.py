"""The administrative map through time (issue 12): unit validity, official units, codes unique per
level, the units' change history, the pre-2025 conversion table, and reports that keep their unit's
name and code

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_to', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('official', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_foreign_key(
            batch_op.f('fk_units_merged_into_id_units'), 'units', ['merged_into_id'], ['id'], ondelete='RESTRICT'
        )
        batch_op.drop_constraint('uq_units_code', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_units_level_code'), ['level', 'code'])

    op.create_table('unit_changes',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('effective_on', sa.Date(), nullable=False),
    sa.Column('name_before', sa.String(length=200), nullable=True),
    sa.Column('name_after', sa.String(length=200), nullable=True),
    sa.Column('code_before', sa.String(length=50), nullable=True),
    sa.Column('code_after', sa.String(length=50), nullable=True),
    sa.Column('parent_before_id', sa.Uuid(), nullable=True),
    sa.Column('parent_after_id', sa.Uuid(), nullable=True),
    sa.Column('related_unit_id', sa.Uuid(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_unit_changes_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit_changes'))
    )
    with op.batch_alter_table('unit_changes', schema=None) as batch_op:
        batch_op.create_index('ix_unit_changes_unit_id_effective_on', ['unit_id', 'effective_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_unit_changes_related_unit_id'), ['related_unit_id'], unique=False)

    op.create_table('legacy_units',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('district_code', sa.String(length=10), nullable=False),
    sa.Column('district_name', sa.String(length=200), nullable=False),
    sa.Column('district_key', sa.String(length=200), nullable=False),
    sa.Column('province_code', sa.String(length=10), nullable=False),
    sa.Column('province_name', sa.String(length=200), nullable=False),
    sa.Column('province_key', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('main', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_legacy_units_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_legacy_units'))
    )
    with op.batch_alter_table('legacy_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_legacy_units_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_legacy_units_name_key'), ['name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_legacy_units_unit_id'), ['unit_id'], unique=False)

    with op.batch_alter_table('kpi_snapshots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_name', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('unit_code', sa.String(length=50), nullable=True))
    # Reports frozen so far keep the name and code their unit has today.
    op.execute(
        "UPDATE kpi_snapshots SET "
        "unit_name = (SELECT name FROM units WHERE units.id = kpi_snapshots.unit_id), "
        "unit_code = (SELECT code FROM units WHERE units.id = kpi_snapshots.unit_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table('kpi_snapshots', schema=None) as batch_op:
        batch_op.drop_column('unit_code')
        batch_op.drop_column('unit_name')
    op.drop_table('legacy_units')
    op.drop_table('unit_changes')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_units_level_code'), type_='unique')
        batch_op.create_unique_constraint('uq_units_code', ['code'])
        batch_op.drop_constraint(batch_op.f('fk_units_merged_into_id_units'), type_='foreignkey')
        batch_op.drop_column('official')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('valid_to')
        batch_op.drop_column('valid_from')
