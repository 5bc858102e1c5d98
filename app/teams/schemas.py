import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from app.core.feed import FeedPage, Tombstone
from app.core.fields import Code, Name, PastDate
from app.core.pagination import Page


class TeamStatus(StrEnum):
    active = "active"
    inactive = "inactive"
    dissolved = "dissolved"


class TeamCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    unit_id: uuid.UUID = Field(description="The commune or village of the team")
    name: Name
    decision_no: Code | None = Field(default=None, description="Number of the founding decision")
    decision_date: PastDate | None = Field(default=None, description="Date of the founding decision")
    status: TeamStatus = TeamStatus.active


class TeamUpdate(BaseModel):
    """Any subset of fields. `unit_id` moves the team, and its members with it."""

    model_config = ConfigDict(extra="forbid")

    unit_id: uuid.UUID | None = None
    name: Name | None = None
    decision_no: Code | None = None
    decision_date: PastDate | None = None
    status: TeamStatus | None = None


class TeamRecord(BaseModel):
    """The stored fields of a team (what replays and the audit compare)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_id: uuid.UUID
    name: str
    decision_no: str | None
    decision_date: date | None
    status: TeamStatus
    version: int
    created_at: datetime
    updated_at: datetime


class TeamRead(TeamRecord):
    member_count: int = Field(description="Active members: not deleted, not left (read-only)")


class TeamList(Page[TeamRead]):
    pass


class TeamFeed(FeedPage):
    """Changes since a moment (`?updated_since=` or `?cursor=`): records, or tombstones for deletions."""

    items: list[TeamRead | Tombstone]
