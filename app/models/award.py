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
    # Members and teams ranked by the help they gave (frozen with the units' ranking).
    people: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    # The Chairman's decision that honours the accepted proposals (plan 000 IV.1).
    decision_no: str | None = Field(default=None, sa_type=String(50))
    decision_date: date | None = Field(default=None, sa_type=Date)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by: str | None = Field(default=None, sa_type=String(100))


class Initiative(Versioned, SQLModel, table=True):
    """A good model or an effective way of working ("mô hình hay, cách làm hiệu quả", plans 000 and
    004): kept where it was born (a village, a commune), proposed for an award, and shared with the
    other communes once its unit marks it shared."""

    __tablename__ = "initiatives"

    id: uuid.UUID = id_field()
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="RESTRICT", nullable=False, index=True)
    title: str = Field(sa_type=String(200), nullable=False)
    description: str = Field(sa_type=String(4000), nullable=False)
    results: str | None = Field(default=None, sa_type=String(2000))
    shared: bool = Field(default=False, nullable=False, index=True)


class AwardNomination(Versioned, SQLModel, table=True):
    """A proposal to honour a member, a team or an initiative in an award (plan 000 IV.7: the village
    head or team leader proposes, the commune reviews, the Chairman decides). `unit_id` is the
    nominee's unit (its scope); `name` is the nominee as proposed, kept when the record changes."""

    __tablename__ = "award_nominations"

    id: uuid.UUID = id_field()
    award_id: uuid.UUID = Field(foreign_key="awards.id", ondelete="CASCADE", nullable=False, index=True)
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="RESTRICT", nullable=False, index=True)
    kind: str = Field(sa_type=String(12), nullable=False)
    member_id: uuid.UUID | None = Field(default=None, foreign_key="members.id", ondelete="SET NULL")
    team_id: uuid.UUID | None = Field(default=None, foreign_key="teams.id", ondelete="SET NULL")
    initiative_id: uuid.UUID | None = Field(default=None, foreign_key="initiatives.id", ondelete="SET NULL")
    name: str = Field(sa_type=String(200), nullable=False)
    reason: str = Field(sa_type=String(2000), nullable=False)
    status: str = Field(default="proposed", sa_type=String(10), nullable=False)
    proposed_by: str = Field(sa_type=String(100), nullable=False)
    review_note: str | None = Field(default=None, sa_type=String(500))
    reviewed_by: str | None = Field(default=None, sa_type=String(100))
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
