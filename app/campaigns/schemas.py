"""Campaigns (drives over a period in a unit) and their events (support points, sessions)."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.activities.schemas import ActivityKind
from app.core.fields import AwareMoment, Name, PlausibleDate, text
from app.core.pagination import Page


class CampaignKind(StrEnum):
    mobile_support = "mobile_support"
    digital_signature = "digital_signature"
    communication = "communication"
    training = "training"
    other = "other"


class CampaignStatus(StrEnum):
    planned = "planned"
    active = "active"
    closed = "closed"


# What a campaign may set a goal for: the flow indicators, households informed, and a count of
# activities of one kind. A small explicit set, so a typo is a 422, not a goal nobody measures.
GOAL_CODES = (
    "people_supported",
    "online_dossiers",
    "signatures_created",
    "households_informed",
    *(kind.value for kind in ActivityKind),
)
GoalCode = Literal[GOAL_CODES]  # type: ignore[valid-type]
GoalValue = Annotated[int, Field(ge=0, le=10_000_000)]
Goals = Annotated[
    dict[GoalCode, GoalValue],
    Field(description="Indicator code → target for the campaign (0 to 10,000,000)"),
]


def rule_errors(values: dict[str, Any]) -> list[tuple[str, str]]:
    """The campaign rules, as (field, message) pairs; empty when the record is sound."""
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts is not None and ends is not None and ends < starts:
        return [("ends_on", f"ends_on ({ends}) cannot be before starts_on ({starts})")]
    return []


class CampaignCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True, validate_default=True)

    id: uuid.UUID | None = None
    unit_id: uuid.UUID = Field(description="Any level: the campaign covers the unit's subtree")
    kind: CampaignKind
    name: Name
    starts_on: PlausibleDate
    ends_on: PlausibleDate = Field(description="On or after `starts_on`")
    status: CampaignStatus = CampaignStatus.planned
    goals: Goals = Field(default_factory=dict)


class CampaignUpdate(BaseModel):
    """Any subset of fields; `goals` replaces the whole set of goals."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    unit_id: uuid.UUID | None = None
    kind: CampaignKind | None = None
    name: Name | None = None
    starts_on: PlausibleDate | None = None
    ends_on: PlausibleDate | None = None
    status: CampaignStatus | None = None
    goals: Goals | None = None


class CampaignRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_id: uuid.UUID
    kind: CampaignKind
    name: str
    starts_on: date
    ends_on: date
    status: CampaignStatus
    goals: dict[str, int]
    version: int
    created_at: datetime
    updated_at: datetime


class CampaignList(Page[CampaignRead]):
    pass


def _event_time(value: datetime) -> datetime:
    if value.year < 2000:
        raise ValueError("must not be before 2000")
    return value


EventTime = Annotated[AwareMoment, AfterValidator(_event_time)]
Location = text(300)
MemberIds = Annotated[
    list[uuid.UUID],
    Field(max_length=100, description="Members on duty, of the event's unit or the team above it"),
    AfterValidator(lambda ids: sorted(set(ids))),
]


class EventCreate(BaseModel):
    """An event of the campaign in the path: in the campaign's unit or below it, within its period."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    unit_id: uuid.UUID = Field(description="Where: the campaign's unit or one below it")
    title: Name
    location: Location | None = None
    starts_at: EventTime
    ends_at: EventTime = Field(description="On or after `starts_at`")
    member_ids: MemberIds = Field(default_factory=list)


class EventUpdate(BaseModel):
    """Any subset of fields; `member_ids` replaces the whole duty roster."""

    model_config = ConfigDict(extra="forbid")

    unit_id: uuid.UUID | None = None
    title: Name | None = None
    location: Location | None = None
    starts_at: EventTime | None = None
    ends_at: EventTime | None = None
    member_ids: MemberIds | None = None


class EventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    campaign_id: uuid.UUID
    unit_id: uuid.UUID
    title: str
    location: str | None
    starts_at: datetime
    ends_at: datetime
    member_ids: list[uuid.UUID] = Field(description="Members on duty, sorted")
    version: int
    created_at: datetime
    updated_at: datetime


class EventList(Page[EventRead]):
    pass


EVENT_COLUMNS = tuple(name for name in EventRead.model_fields if name != "member_ids")


def event_read(event: Any, member_ids: list[uuid.UUID]) -> EventRead:
    """The read form of an event (an ORM object or a row) with its duty roster."""
    return EventRead(**{name: getattr(event, name) for name in EVENT_COLUMNS}, member_ids=sorted(member_ids))
