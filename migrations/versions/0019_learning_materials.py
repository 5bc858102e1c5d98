"""Learning materials published by communes and provinces to their teams

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "learning_materials",
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("summary", sa.String(length=4000), nullable=True),
        sa.Column("topic", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_learning_materials_unit_id_units"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_materials")),
    )
    with op.batch_alter_table("learning_materials", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_learning_materials_unit_id"), ["unit_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_learning_materials_updated_at"), ["updated_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("learning_materials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_learning_materials_updated_at"))
        batch_op.drop_index(batch_op.f("ix_learning_materials_unit_id"))
    op.drop_table("learning_materials")
