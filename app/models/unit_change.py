import uuid
from datetime import date, datetime

from sqlalchemy import Date, Index, String
from sqlmodel import Field, SQLModel

from app.models.base import created_field, id_field


class UnitChange(SQLModel, table=True):
    """One change of a unit with its effective date: a rename (name and/or code), a move (a new
    parent) or a merge (the unit closes and moves under `related_unit_id`).

    Each row keeps the values before and after, so the tree as it stood on any day is the current
    tree with the later changes undone (`app.units.history`). A child moved by its parent's merger
    is a move whose `related_unit_id` is the merged parent."""

    __tablename__ = "unit_changes"
    __table_args__ = (Index("ix_unit_changes_unit_id_effective_on", "unit_id", "effective_on"),)

    id: uuid.UUID = id_field()
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="CASCADE", nullable=False)
    kind: str = Field(sa_type=String(10), nullable=False)
    effective_on: date = Field(sa_type=Date, nullable=False)
    name_before: str | None = Field(default=None, sa_type=String(200))
    name_after: str | None = Field(default=None, sa_type=String(200))
    code_before: str | None = Field(default=None, sa_type=String(50))
    code_after: str | None = Field(default=None, sa_type=String(50))
    parent_before_id: uuid.UUID | None = None
    parent_after_id: uuid.UUID | None = None
    related_unit_id: uuid.UUID | None = Field(default=None, index=True)
    recorded_at: datetime = created_field()
    recorded_by: str = Field(sa_type=String(100), nullable=False)
