import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.core.feed import FeedPage, Tombstone
from app.core.fields import Name, PastDate, Phone, PlausibleDate, text
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
    # As the plans name them (001, 002, 004): the Fatherland Front (Ủy ban MTTQ), the party cell's
    # officials (bí thư chi bộ, đảng viên đương chức), the village head (trưởng thôn, ấp, khu phố) and
    # people with standing on social networks (người có uy tín trên mạng xã hội).
    fatherland_front = "fatherland_front"
    party_cell = "party_cell"
    village_head = "village_head"
    influencer = "influencer"
    other = "other"


def _not_after_this_year(year: int) -> int:
    if year > today().year:
        raise ValueError(f"must not be after the current year ({today().year})")
    return year


BirthYear = Annotated[
    int, Field(ge=1900, le=2100, description="1900 to the current year"), AfterValidator(_not_after_this_year)
]


Duties = Annotated[
    text(500, multiline=True),
    Field(description="What the leader gave the member to do (plans 000, 001), in words"),
]
DUTY_UNIT = "A village of the team's area the member covers (assigned by the leader)"


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
    duty_unit_id: uuid.UUID | None = Field(default=None, description=DUTY_UNIT)
    duties: Duties | None = None


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
    duty_unit_id: uuid.UUID | None = Field(default=None, description=DUTY_UNIT)
    duties: Duties | None = None


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
    duty_unit_id: uuid.UUID | None = None
    duties: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class MemberList(Page[MemberRead]):
    pass


class MemberFeed(FeedPage):
    """Changes since a moment (`?updated_since=` or `?cursor=`): records, or tombstones for deletions."""

    items: list[MemberRead | Tombstone]


# --- duties and results (issue 20, item 2; plans 000, 001, 004) -----------------------------------


class MemberResult(BaseModel):
    """One member's results in a period: the activities recorded with the member, the people they
    helped, the distinct households visited (households of those activities, and the households
    assigned to the member visited in the period), and what the member was given."""

    member_id: uuid.UUID
    full_name: str
    team_id: uuid.UUID
    position: Position
    activities: int
    people_helped: int
    households_visited: int
    households_assigned: int
    events_on_duty: int = Field(description="Support points and sessions on duty in the period")


class MemberResults(BaseModel):
    period: str
    start: date
    end: date = Field(description="The first day after the period")
    items: list[MemberResult]


class AssignedHousehold(BaseModel):
    id: uuid.UUID
    code: str | None
    head_name: str
    unit_id: uuid.UUID
    last_visit_at: datetime | None


class DutyEvent(BaseModel):
    id: uuid.UUID
    campaign_id: uuid.UUID
    title: str
    location: str | None
    starts_at: datetime


class MyWork(BaseModel):
    """A member's own page: "my households, my duties, my results this month"."""

    member: MemberRead
    team_name: str
    duty_unit_name: str | None
    households: list[AssignedHousehold] = Field(description="Households assigned to the member (first 200)")
    events: list[DutyEvent] = Field(description="Support points the member is on duty at in the period")
    result: MemberResult


class MyWorkList(BaseModel):
    period: str
    items: list[MyWork] = Field(description="One per team the caller's user account is a member of")
