"""Teams founded and re-organised by decision, members' duties

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 00:00:00

A commune founds a team by a decision and re-organises it by later ones (kiện toàn, plans 000, 001,
002): each decision is a row with the roster it set. A team keeps its operating rules (quy chế hoạt
động) and its Zalo group (002); a member the village and duties the leader gave (000, 001); an API
key may be limited to the VNeID and signature counts of households (the commune police, 004).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "team_decisions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("signer", sa.String(length=200), nullable=True),
        sa.Column("roster", JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_decisions_team_id_teams"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_team_decisions_unit_id_units"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_decisions")),
    )
    with op.batch_alter_table("team_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_team_decisions_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index("ix_team_decisions_team_id_decided_on", ["team_id", "decided_on"], unique=False)
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.add_column(sa.Column("charter", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("zalo_url", sa.String(length=2000), nullable=True))
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duty_unit_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("duties", sa.String(length=500), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_members_duty_unit_id_units"),
            "units",
            ["duty_unit_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("vneid_only", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("vneid_only")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_members_duty_unit_id_units"), type_="foreignkey")
        batch_op.drop_column("duties")
        batch_op.drop_column("duty_unit_id")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_column("zalo_url")
        batch_op.drop_column("charter")
    with op.batch_alter_table("team_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_team_decisions_team_id_decided_on")
        batch_op.drop_index(batch_op.f("ix_team_decisions_unit_id"))
    op.drop_table("team_decisions")
