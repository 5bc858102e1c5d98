import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.core.fields import Name, PlausibleDate, text
from app.core.pagination import Page

Topic = text(100, 1)
Topics = Annotated[list[Topic], Field(max_length=20, description="At most 20 short topics")]
MAX_ATTENDEES = 500


MemberIds = Annotated[
    list[uuid.UUID],
    Field(max_length=MAX_ATTENDEES, description="Members who attended (a repeat counts once)"),
]


class TrainingMode(StrEnum):
    in_person = "in_person"
    online = "online"


class TrainingCreate(BaseModel):
    """A training session. Attendees are members of a team in the training unit's subtree, or of a
    team whose unit contains the training unit."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    unit_id: uuid.UUID
    title: Name
    held_on: PlausibleDate
    mode: TrainingMode = TrainingMode.in_person
    topics: Topics = Field(default_factory=list)
    member_ids: MemberIds = Field(default_factory=list)


class TrainingUpdate(BaseModel):
    """Any subset of fields; `member_ids` replaces the whole list of attendees."""

    model_config = ConfigDict(extra="forbid")

    unit_id: uuid.UUID | None = None
    title: Name | None = None
    held_on: PlausibleDate | None = None
    mode: TrainingMode | None = None
    topics: Topics | None = None
    member_ids: MemberIds | None = None


class TrainingRecord(BaseModel):
    """The stored columns of a training (without its attendees)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_id: uuid.UUID
    title: str
    held_on: date
    mode: TrainingMode
    topics: list[str]
    version: int
    created_at: datetime
    updated_at: datetime


class TrainingRead(TrainingRecord):
    member_ids: list[uuid.UUID] = Field(description="Attendees, sorted")


class TrainingList(Page[TrainingRead]):
    pass
