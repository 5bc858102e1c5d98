import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, String
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, UTCDateTime, Versioned, id_field


class Award(Versioned, SQLModel, table=True):
    """A 10/10 award (Ngày Chuyển đổi số): the children of a commune or province ranked by a weighted
    score over a period; frozen at the cut-off, after which the ranking never changes."""

    __tablename__ = "awards"

    id: uuid.UUID = id_field()
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="CASCADE", nullable=False, index=True)
    title: str = Field(sa_type=String(200), nullable=False)
    period: str = Field(sa_type=String(7), nullable=False)
    cutoff_on: date = Field(sa_type=Date, nullable=False)
    weights: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType, nullable=False)
    status: str = Field(default="open", sa_type=String(8), nullable=False)
    frozen_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    frozen_by: str | None = Field(default=None, sa_type=String(100))
    ranking: list[dict[str, Any]] | None = Field(default=None, sa_type=JSONType)
