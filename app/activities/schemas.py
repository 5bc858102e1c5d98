"""Activities (lượt hỗ trợ): one act of help, what the field records most, often offline."""

import uuid
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.core.feed import FeedPage, Tombstone
from app.core.fields import AwareMoment, LongText
from app.core.pagination import Page
from app.models.base import utcnow


class ActivityKind(StrEnum):
    vneid_activation = "vneid_activation"
    dvc_account = "dvc_account"
    online_dossier = "online_dossier"
    epay_account = "epay_account"
    digital_signature = "digital_signature"
    skills_guidance = "skills_guidance"
    ecommerce = "ecommerce"
    cyber_safety = "cyber_safety"
    communication = "communication"
    other = "other"


FUTURE_SLACK = timedelta(days=1)  # a phone's clock may run ahead; more than a day is a typo


def _occurred_at(value: datetime) -> datetime:
    if value.year < 2000:
        raise ValueError("must not be before 2000")
    if value > utcnow() + FUTURE_SLACK:
        raise ValueError("must not be more than 1 day in the future")
    return value


# When the help was given: with its offset, stored in UTC (so a replayed body compares equal).
OccurredAt = Annotated[AwareMoment, AfterValidator(_occurred_at)]
PeopleCount = Annotated[int, Field(ge=1, le=1000, description="People helped")]
DossierCount = Annotated[int, Field(ge=0, le=1000, description="Dossiers filed online")]


class ActivityCreate(BaseModel):
    """An act of help. The references must agree with `unit_id` (checked by the service); with only
    `event_id`, `campaign_id` is taken from the event."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    id: uuid.UUID | None = None
    unit_id: uuid.UUID = Field(description="Where the help was given")
    household_id: uuid.UUID | None = Field(default=None, description="A household of `unit_id`")
    campaign_id: uuid.UUID | None = Field(default=None, description="A campaign covering `unit_id`")
    event_id: uuid.UUID | None = Field(default=None, description="An event in `unit_id` or above it")
    member_id: uuid.UUID | None = Field(default=None, description="A member of a team covering `unit_id`")
    occurred_at: OccurredAt
    kind: ActivityKind
    people_count: PeopleCount = 1
    dossier_count: DossierCount = 0
    note: LongText | None = None


class ActivityUpdate(BaseModel):
    """Any subset of fields; the references are checked again when they or `unit_id` change."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    unit_id: uuid.UUID | None = None
    household_id: uuid.UUID | None = None
    campaign_id: uuid.UUID | None = None
    event_id: uuid.UUID | None = None
    member_id: uuid.UUID | None = None
    occurred_at: OccurredAt | None = None
    kind: ActivityKind | None = None
    people_count: PeopleCount | None = None
    dossier_count: DossierCount | None = None
    note: LongText | None = None


class ActivityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_id: uuid.UUID
    household_id: uuid.UUID | None
    campaign_id: uuid.UUID | None
    event_id: uuid.UUID | None
    member_id: uuid.UUID | None
    recorded_by: uuid.UUID | None = Field(description="The user who recorded it")
    occurred_at: datetime
    kind: ActivityKind
    people_count: int
    dossier_count: int
    note: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class ActivityList(Page[ActivityRead]):
    pass


class ActivityFeed(FeedPage):
    """Changes since a moment (`?updated_since=` or `?cursor=`): records, or tombstones for deletions."""

    items: list[ActivityRead | Tombstone]
