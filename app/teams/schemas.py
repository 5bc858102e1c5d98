import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.core.feed import FeedPage, Tombstone
from app.core.fields import Code, Name, PastDate, text
from app.core.pagination import Page
from app.learning.schemas import WebLink

Charter = Annotated[
    text(20000, multiline=True),
    Field(description="The team's operating rules (quy chế hoạt động, plan 002), as text"),
]
ZaloLink = Annotated[WebLink, Field(description="The team's Zalo group, such as https://zalo.me/g/…")]


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
    charter: Charter | None = None
    zalo_url: ZaloLink | None = None


class TeamUpdate(BaseModel):
    """Any subset of fields. `unit_id` moves the team, and its members with it."""

    model_config = ConfigDict(extra="forbid")

    unit_id: uuid.UUID | None = None
    name: Name | None = None
    decision_no: Code | None = None
    decision_date: PastDate | None = None
    status: TeamStatus | None = None
    charter: Charter | None = None
    zalo_url: ZaloLink | None = None


class TeamRecord(BaseModel):
    """The stored fields of a team (what replays and the audit compare)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_id: uuid.UUID
    name: str
    decision_no: str | None
    decision_date: date | None
    status: TeamStatus
    charter: str | None = None
    zalo_url: str | None = None
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


# --- decisions: founding and re-organisation (plans 000, 001, 002) --------------------------------


class DecisionKind(StrEnum):
    founding = "founding"  # thành lập
    reorganisation = "reorganisation"  # kiện toàn


class RosterEntry(BaseModel):
    member_id: uuid.UUID
    full_name: str
    position: str


class TeamDecisionCreate(BaseModel):
    """A decision of the commune on the team; it keeps the team's active roster as it stands now.
    A founding decision also becomes the team's `decision_no` and `decision_date`."""

    model_config = ConfigDict(extra="forbid")

    kind: DecisionKind
    number: Code = Field(description="Such as 1067/QĐ-UBND")
    decided_on: PastDate
    signer: Name | None = Field(default=None, description="Who signed it, such as the commune chairman")


class TeamDecisionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    team_id: uuid.UUID
    unit_id: uuid.UUID
    kind: DecisionKind
    number: str
    decided_on: date
    signer: str | None
    roster: list[RosterEntry]
    created_at: datetime
    created_by: str


class TeamDecisionList(BaseModel):
    items: list[TeamDecisionRead]


# --- the plans' rules, as hints (never refusals) -------------------------------------------------


class TeamHint(BaseModel):
    code: str = Field(
        description="team.small (under 5 active members), team.large (over 10: collaborator groups), "
        "team.no_leader, team.few_young (under half the members with a birth year are under 40), "
        "team.village_has_another (the village has another active team), team.no_decision"
    )
    message: str


class TeamProfile(BaseModel):
    """The team's composition against the plans (001: 5–10 members, collaborators beyond;
    004: members under 40 preferred; one leader; one team per village)."""

    team_id: uuid.UUID
    active_members: int = Field(description="Active members who are not collaborators")
    collaborators: int
    leaders: int
    with_birth_year: int
    under_40: int
    under_40_pct: float | None = Field(description="Of the active members with a birth year; null: none")
    hints: list[TeamHint]


class VillageWithoutTeam(BaseModel):
    id: uuid.UUID
    code: str
    name: str


class TeamCoverage(BaseModel):
    """A commune's villages and their teams (plan 004: one team per village)."""

    unit_id: uuid.UUID
    villages: int
    with_team: int
    without_team: list[VillageWithoutTeam]


class DirectoryEntry(BaseModel):
    id: uuid.UUID
    name: str
    unit_id: uuid.UUID
    unit_name: str
    unit_level: str
    commune_name: str | None
    member_count: int
    decision_no: str | None
    decision_date: date | None
    zalo_url: str | None
    leader_name: str | None


class TeamDirectory(Page[DirectoryEntry]):
    """The teams of an area with their Zalo groups (plan 002: teams are managed over Zalo)."""
