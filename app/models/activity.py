import uuid
from datetime import datetime

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from app.models.base import SoftDeleted, UTCDateTime, Versioned, id_field


class Activity(Versioned, SoftDeleted, SQLModel, table=True):
    """One act of help (lượt hỗ trợ): what the field records most, often offline."""

    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_unit_id_occurred_at", "unit_id", "occurred_at"),
        # A village's change feed in its order (`records.reads.changes`), as households have it.
        Index("ix_activities_unit_id_updated_at", "unit_id", "updated_at", "id"),
    )

    id: uuid.UUID = id_field()
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="RESTRICT", nullable=False)
    household_id: uuid.UUID | None = Field(
        default=None, foreign_key="households.id", ondelete="SET NULL", index=True
    )
    campaign_id: uuid.UUID | None = Field(
        default=None, foreign_key="campaigns.id", ondelete="SET NULL", index=True
    )
    event_id: uuid.UUID | None = Field(
        default=None, foreign_key="campaign_events.id", ondelete="SET NULL", index=True
    )
    member_id: uuid.UUID | None = Field(
        default=None, foreign_key="members.id", ondelete="SET NULL", index=True
    )
    recorded_by: uuid.UUID | None = Field(default=None, foreign_key="users.id", ondelete="SET NULL")
    occurred_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    kind: str = Field(sa_type=String(30), nullable=False)
    people_count: int = Field(default=1, nullable=False)
    dossier_count: int = Field(default=0, nullable=False)
    note: str | None = Field(default=None, sa_type=String(2000))
    # Who was helped (plans 004, 000): how many of `people_count` were elderly, people with
    # disabilities, of an ethnic minority, students or pupils, workers (one person may be in several).
    elderly_count: int = Field(default=0, nullable=False)
    disabled_count: int = Field(default=0, nullable=False)
    minority_count: int = Field(default=0, nullable=False)
    student_count: int = Field(default=0, nullable=False)
    worker_count: int = Field(default=0, nullable=False)
    # Communication (tuyên truyền): through which channel, and how many people it reached.
    channel: str | None = Field(default=None, sa_type=String(20))
    reach_count: int = Field(default=0, nullable=False)
