import uuid

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from app.models.base import SoftDeleted, Versioned, id_field


class LearningMaterial(Versioned, SoftDeleted, SQLModel, table=True):
    """A guide a commune or a province publishes to its teams (plans 000 and 004): a document, a course
    of the national "Bình dân học vụ số" platform or a short video, always as a link (nothing is
    uploaded), with a summary a member can read on the phone, offline once opened."""

    __tablename__ = "learning_materials"

    id: uuid.UUID = id_field()
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="RESTRICT", nullable=False, index=True)
    kind: str = Field(sa_type=String(20), nullable=False)
    title: str = Field(sa_type=String(200), nullable=False)
    url: str = Field(sa_type=String(2000), nullable=False)
    summary: str | None = Field(default=None, sa_type=String(4000))
    topic: str | None = Field(default=None, sa_type=String(30))
