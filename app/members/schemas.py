import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.core.feed import FeedPage, Tombstone
from app.core.fields import Name, PastDate, Phone, PlausibleDate
from app.core.pagination import Page
from app.members.status import today


class Gender(StrEnum):
    male = "male"
    female = "female"
    other = "other"


class Position(StrEnum):
    leader = "leader"  # tổ trưởng
    deputy = "deputy"  # tổ phó
    member = "member"  # thành viên
    collaborator = "collaborator"  # cộng tác viên


class Affiliation(StrEnum):
    youth_union = "youth_union"
    teacher = "teacher"
    police = "police"
    health_worker = "health_worker"
    womens_union = "womens_union"
    farmers_union = "farmers_union"
    post_telecom_it = "post_telecom_it"
    student = "student"
    resident = "resident"
    official = "official"
    other = "other"


def _not_after_this_year(year: int) -> int:
    if year > today().year:
        raise ValueError(f"must not be after the current year ({today().year})")
    return year


BirthYear = Annotated[
    int, Field(ge=1900, le=2100, description="1900 to the current year"), AfterValidator(_not_after_this_year)
]


class MemberCreate(BaseModel):
    """A new member of a team; at most one active leader per team (checked by the service)."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    team_id: uuid.UUID
    full_name: Name
    phone: Phone | None = None
    gender: Gender | None = None
    birth_year: BirthYear | None = None
    position: Position = Position.member
    affiliation: Affiliation | None = None
    joined_on: PastDate | None = None
    left_on: PlausibleDate | None = Field(default=None, description="On or after joined_on")
    user_id: uuid.UUID | None = Field(default=None, description="The member's user account, if any")


class MemberUpdate(BaseModel):
    """Any subset of fields; the rules are checked on the merged record. `team_id` moves the member."""

    model_config = ConfigDict(extra="forbid")

    team_id: uuid.UUID | None = None
    full_name: Name | None = None
    phone: Phone | None = None
    gender: Gender | None = None
    birth_year: BirthYear | None = None
    position: Position | None = None
    affiliation: Affiliation | None = None
    joined_on: PastDate | None = None
    left_on: PlausibleDate | None = None
    user_id: uuid.UUID | None = None


class MemberRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    team_id: uuid.UUID
    unit_id: uuid.UUID = Field(description="The team's unit (read-only)")
    full_name: str
    phone: str | None
    gender: Gender | None
    birth_year: int | None
    position: Position
    affiliation: Affiliation | None
    joined_on: date | None
    left_on: date | None
    user_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime


class MemberList(Page[MemberRead]):
    pass


class MemberFeed(FeedPage):
    """Changes since a moment (`?updated_since=` or `?cursor=`): records, or tombstones for deletions."""

    items: list[MemberRead | Tombstone]
