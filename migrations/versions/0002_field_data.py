"""field data

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 08:57:47.745321
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Trigram index for accent-insensitive household search (pg_trgm ships with PostgreSQL).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.create_table('idempotency_keys',
    sa.Column('caller_id', sa.Uuid(), nullable=False),
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status_code', sa.Integer(), nullable=True),
    sa.Column('headers', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.Column('body', sa.LargeBinary(), nullable=True),
    sa.PrimaryKeyConstraint('caller_id', 'key', name=op.f('pk_idempotency_keys'))
    )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_keys_created_at'), ['created_at'], unique=False)

    op.create_table('campaigns',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('goals', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_campaigns_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaigns_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaigns_updated_at'), ['updated_at'], unique=False)

    op.create_table('teams',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('decision_no', sa.String(length=50), nullable=True),
    sa.Column('decision_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_teams_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teams'))
    )
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.create_index('ix_teams_unit_id_name', ['unit_id', 'name'], unique=False)
        batch_op.create_index(batch_op.f('ix_teams_updated_at'), ['updated_at'], unique=False)

    op.create_table('trainings',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('topics', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_trainings_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_trainings'))
    )
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_trainings_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainings_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_trainings_updated_at'), ['updated_at'], unique=False)

    op.create_table('campaign_events',
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('campaign_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=True),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_campaign_events_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_campaign_events_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaign_events'))
    )
    with op.batch_alter_table('campaign_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_events_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_events_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_events_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_campaign_events_updated_at'), ['updated_at'], unique=False)

    op.create_table('members',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('gender', sa.String(length=10), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('position', sa.String(length=20), nullable=False),
    sa.Column('affiliation', sa.String(length=30), nullable=True),
    sa.Column('joined_on', sa.Date(), nullable=True),
    sa.Column('left_on', sa.Date(), nullable=True),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['team_id'], ['teams.id'], name=op.f('fk_members_team_id_teams'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_members_unit_id_units'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_members_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_members'))
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.create_index('ix_members_team_id_position', ['team_id', 'position'], unique=False)
        batch_op.create_index(batch_op.f('ix_members_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_members_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_members_user_id'), ['user_id'], unique=False)

    op.create_table('event_duties',
    sa.Column('event_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['campaign_events.id'], name=op.f('fk_event_duties_event_id_campaign_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_event_duties_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('event_id', 'member_id', name=op.f('pk_event_duties'))
    )
    with op.batch_alter_table('event_duties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_duties_member_id'), ['member_id'], unique=False)

    op.create_table('households',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=True),
    sa.Column('head_name', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('search_text', sa.String(length=300), nullable=False),
    sa.Column('members_count', sa.Integer(), nullable=False),
    sa.Column('adults_count', sa.Integer(), nullable=False),
    sa.Column('adults_smartphone', sa.Integer(), nullable=False),
    sa.Column('adults_digital_skills', sa.Integer(), nullable=False),
    sa.Column('adults_vneid', sa.Integer(), nullable=False),
    sa.Column('adults_dvc', sa.Integer(), nullable=False),
    sa.Column('adults_epay', sa.Integer(), nullable=False),
    sa.Column('adults_signature', sa.Integer(), nullable=False),
    sa.Column('informed', sa.Boolean(), nullable=False),
    sa.Column('has_digital_member', sa.Boolean(), nullable=False),
    sa.Column('is_business', sa.Boolean(), nullable=False),
    sa.Column('business_cashless', sa.Boolean(), nullable=False),
    sa.Column('needs_assistance', sa.Boolean(), nullable=False),
    sa.Column('assigned_member_id', sa.Uuid(), nullable=True),
    sa.Column('last_visit_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['assigned_member_id'], ['members.id'], name=op.f('fk_households_assigned_member_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_households_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households'))
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_assigned_member_id'), ['assigned_member_id'], unique=False)
        batch_op.create_index('ix_households_search_text_trgm', ['search_text'], unique=False, postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
        batch_op.create_index('ix_households_unit_id_head_name', ['unit_id', 'head_name'], unique=False)
        batch_op.create_index(batch_op.f('ix_households_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index('uq_households_unit_id_code', ['unit_id', 'code'], unique=True, sqlite_where=sa.text('deleted_at IS NULL AND code IS NOT NULL'), postgresql_where=sa.text('deleted_at IS NULL AND code IS NOT NULL'))

    op.create_table('training_attendance',
    sa.Column('training_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_training_attendance_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['training_id'], ['trainings.id'], name=op.f('fk_training_attendance_training_id_trainings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('training_id', 'member_id', name=op.f('pk_training_attendance'))
    )
    with op.batch_alter_table('training_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_attendance_member_id'), ['member_id'], unique=False)

    op.create_table('activities',
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('unit_id', sa.Uuid(), nullable=False),
    sa.Column('household_id', sa.Uuid(), nullable=True),
    sa.Column('campaign_id', sa.Uuid(), nullable=True),
    sa.Column('event_id', sa.Uuid(), nullable=True),
    sa.Column('member_id', sa.Uuid(), nullable=True),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('people_count', sa.Integer(), nullable=False),
    sa.Column('dossier_count', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_activities_campaign_id_campaigns'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['campaign_events.id'], name=op.f('fk_activities_event_id_campaign_events'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_activities_household_id_households'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_activities_member_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], name=op.f('fk_activities_recorded_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_activities_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activities_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_activities_unit_id_occurred_at', ['unit_id', 'occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_activities_updated_at'), ['updated_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activities_updated_at'))
        batch_op.drop_index('ix_activities_unit_id_occurred_at')
        batch_op.drop_index(batch_op.f('ix_activities_member_id'))
        batch_op.drop_index(batch_op.f('ix_activities_household_id'))
        batch_op.drop_index(batch_op.f('ix_activities_event_id'))
        batch_op.drop_index(batch_op.f('ix_activities_campaign_id'))

    op.drop_table('activities')
    with op.batch_alter_table('training_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_attendance_member_id'))

    op.drop_table('training_attendance')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index('uq_households_unit_id_code', sqlite_where=sa.text('deleted_at IS NULL AND code IS NOT NULL'), postgresql_where=sa.text('deleted_at IS NULL AND code IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_households_updated_at'))
        batch_op.drop_index('ix_households_unit_id_head_name')
        batch_op.drop_index('ix_households_search_text_trgm', postgresql_using='gin', postgresql_ops={'search_text': 'gin_trgm_ops'})
        batch_op.drop_index(batch_op.f('ix_households_assigned_member_id'))

    op.drop_table('households')
    with op.batch_alter_table('event_duties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_duties_member_id'))

    op.drop_table('event_duties')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_members_updated_at'))
        batch_op.drop_index(batch_op.f('ix_members_unit_id'))
        batch_op.drop_index('ix_members_team_id_position')

    op.drop_table('members')
    with op.batch_alter_table('campaign_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_events_updated_at'))
        batch_op.drop_index(batch_op.f('ix_campaign_events_unit_id'))
        batch_op.drop_index(batch_op.f('ix_campaign_events_starts_at'))
        batch_op.drop_index(batch_op.f('ix_campaign_events_campaign_id'))

    op.drop_table('campaign_events')
    with op.batch_alter_table('trainings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_trainings_updated_at'))
        batch_op.drop_index(batch_op.f('ix_trainings_unit_id'))
        batch_op.drop_index(batch_op.f('ix_trainings_held_on'))

    op.drop_table('trainings')
    with op.batch_alter_table('teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teams_updated_at'))
        batch_op.drop_index('ix_teams_unit_id_name')

    op.drop_table('teams')
    with op.batch_alter_table('campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaigns_updated_at'))
        batch_op.drop_index(batch_op.f('ix_campaigns_unit_id'))

    op.drop_table('campaigns')
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_keys_created_at'))

    op.drop_table('idempotency_keys')
