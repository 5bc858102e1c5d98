import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Index, String, Text
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, SoftDeleted, UTCDateTime, Versioned, id_field, utcnow


class Team(Versioned, SoftDeleted, SQLModel, table=True):
    """A community digital technology team (Tổ CNSCĐ) of one commune or one village."""

    __tablename__ = "teams"
    __table_args__ = (Index("ix_teams_unit_id_name", "unit_id", "name"),)

    id: uuid.UUID = id_field()
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="RESTRICT", nullable=False)
    name: str = Field(sa_type=String(200), nullable=False)
    decision_no: str | None = Field(default=None, sa_type=String(50))
    decision_date: date | None = Field(default=None, sa_type=Date)
    status: str = Field(default="active", sa_type=String(20), nullable=False)
    # The team's operating rules (quy chế hoạt động, plan 002) and its Zalo group (plan 002 III.3).
    charter: str | None = Field(default=None, sa_type=Text)
    zalo_url: str | None = Field(default=None, sa_type=String(2000))


class TeamDecision(SQLModel, table=True):
    """A commune's decision on a team: its founding (thành lập) or a re-organisation (kiện toàn), with
    the roster it set (member ids, names and positions at the time). Kept as history: never edited."""

    __tablename__ = "team_decisions"
    __table_args__ = (Index("ix_team_decisions_team_id_decided_on", "team_id", "decided_on"),)

    id: uuid.UUID = id_field()
    team_id: uuid.UUID = Field(foreign_key="teams.id", ondelete="CASCADE", nullable=False)
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="RESTRICT", nullable=False, index=True)
    kind: str = Field(sa_type=String(20), nullable=False)
    number: str = Field(sa_type=String(50), nullable=False)
    decided_on: date = Field(sa_type=Date, nullable=False)
    signer: str | None = Field(default=None, sa_type=String(200))
    roster: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    created_by: str = Field(sa_type=String(100), nullable=False)


class Member(Versioned, SoftDeleted, SQLModel, table=True):
    """A person in a team. `unit_id` is the team's, kept here so the scope filter needs no join."""

    __tablename__ = "members"
    __table_args__ = (Index("ix_members_team_id_position", "team_id", "position"),)

    id: uuid.UUID = id_field()
    team_id: uuid.UUID = Field(foreign_key="teams.id", ondelete="RESTRICT", nullable=False)
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="RESTRICT", nullable=False, index=True)
    full_name: str = Field(sa_type=String(200), nullable=False)
    phone: str | None = Field(default=None, sa_type=String(20))
    gender: str | None = Field(default=None, sa_type=String(10))
    birth_year: int | None = None
    position: str = Field(default="member", sa_type=String(20), nullable=False)
    affiliation: str | None = Field(default=None, sa_type=String(30))
    joined_on: date | None = Field(default=None, sa_type=Date)
    left_on: date | None = Field(default=None, sa_type=Date)
    user_id: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL", index=True)
    # What the leader gave the member (plans 000, 001): a village to cover and duties in words;
    # households are assigned on the household (`assigned_member_id`), support points on the event.
    duty_unit_id: uuid.UUID | None = Field(default=None, foreign_key="units.id", ondelete="SET NULL")
    duties: str | None = Field(default=None, sa_type=String(500))
