import uuid
from datetime import date

from sqlalchemy import Date, Index, String
from sqlmodel import Field, SQLModel

from app.models.base import SoftDeleted, Versioned, id_field


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
