import uuid
from datetime import date

from sqlalchemy import Date, String
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, Versioned, id_field


class Training(Versioned, SQLModel, table=True):
    __tablename__ = "trainings"

    id: uuid.UUID = id_field()
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="RESTRICT", nullable=False, index=True)
    title: str = Field(sa_type=String(200), nullable=False)
    held_on: date = Field(sa_type=Date, nullable=False, index=True)
    mode: str = Field(default="in_person", sa_type=String(20), nullable=False)
    topics: list[str] = Field(default_factory=list, sa_type=JSONType, nullable=False)


class TrainingAttendance(SQLModel, table=True):
    __tablename__ = "training_attendance"

    training_id: uuid.UUID = Field(foreign_key="trainings.id", ondelete="CASCADE", primary_key=True)
    member_id: uuid.UUID = Field(foreign_key="members.id", ondelete="CASCADE", primary_key=True, index=True)
