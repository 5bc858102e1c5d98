"""Campaigns (drives over a period in a unit) and their events (support points, sessions)."""

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from app.activities.schemas import KIND_LABELS, ActivityKind
from app.core.fields import AwareMoment, Name, PlausibleDate, text
from app.core.pagination import Page
from app.kpi.indicators import BY_CODE, PERCENTAGES


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


# What a campaign may set a goal for, each measured by `app.campaigns.progress`: an indicator (a flow
# summed over the campaign's activities, or a percentage as it stands at the window's end), the
# campaign's activities, households informed, or the activities of one kind. A small explicit set,
# so a typo is a 422, not a goal nobody measures.
FLOW_GOALS = ("people_supported", "online_dossiers", "signatures_created", "activities")
STOCK_GOALS = (*PERCENTAGES, "households_informed")
KIND_GOALS = tuple(kind.value for kind in ActivityKind)
GOAL_CODES = (*FLOW_GOALS, *STOCK_GOALS, *KIND_GOALS)
GOAL_NAMES = {
    **{code: BY_CODE[code].name for code in (*FLOW_GOALS, *PERCENTAGES) if code in BY_CODE},
    "activities": "Lượt hỗ trợ",
    "households_informed": "Hộ gia đình được tuyên truyền",
    **{kind: f"Lượt hỗ trợ: {KIND_LABELS[kind]}" for kind in KIND_GOALS},
}
GoalCode = Literal[GOAL_CODES]  # type: ignore[valid-type]
GoalValue = Annotated[int, Field(ge=0, le=10_000_000)]


def _known_goals(value: Any) -> Any:
    """An unknown code is named, with the codes there are (not pydantic's list of literals)."""
    if isinstance(value, dict):
        unknown = sorted(str(code) for code in value if code not in GOAL_CODES)
        if unknown:
            raise PydanticCustomError(
                "literal_error",  # as pydantic names it, with the codes there are
                "unknown goal {unknown}: a goal is one of {known}",
                {"unknown": ", ".join(unknown), "known": ", ".join(GOAL_CODES)},
            )
    return value


def _percentages(goals: dict[str, int]) -> dict[str, int]:
    over = [code for code in PERCENTAGES if goals.get(code, 0) > 100]
    if over:
        raise PydanticCustomError(
            "less_than_equal",
            "a percentage goal ({codes}) is at most 100",
            {"codes": ", ".join(over), "le": 100},
        )
    return goals


Goals = Annotated[
    dict[GoalCode, GoalValue],
    BeforeValidator(_known_goals),
    AfterValidator(_percentages),
    Field(
        description="Goal code → target for the campaign: a flow indicator (people_supported, "
        "online_dossiers, signatures_created) or `activities`, counted over the activities linked to "
        "the campaign or its events inside its window and area; a percentage indicator (…_pct, at most "
        "100) or `households_informed`, as it stands at the window's end over the campaign's unit; an "
        "activity kind, the count of the campaign's activities of that kind. 0 to 10,000,000. "
        "`GET /campaigns/{id}/progress` measures them"
    ),
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


class GoalPart(BaseModel):
    unit_id: uuid.UUID
    name: str
    achieved: float | None = Field(description="As `achieved`, over this unit's subtree alone")


class GoalProgress(BaseModel):
    indicator: str = Field(description="The goal's code, as in the campaign's `goals`")
    name: str = Field(description="What it counts, in Vietnamese")
    measure: Literal["flow", "stock"] = Field(
        description="flow: summed over the activities linked to the campaign or its events, dated in "
        "its window, in its area; stock: as it stands at the end of `as_of`, over the campaign's unit"
    )
    percent: bool = Field(description="A percentage (goal and achieved in %), else a count")
    goal: int
    achieved: float | None = Field(description="None: a percentage without data (an empty denominator)")
    parts: list[GoalPart] = Field(
        description="The caller's own units inside the campaign's area (a village team's village): "
        "their share of `achieved`; empty for a caller whose area holds the campaign's"
    )


class CampaignProgress(BaseModel):
    campaign_id: uuid.UUID
    unit_id: uuid.UUID
    starts_on: date
    ends_on: date
    as_of: date = Field(
        description="Stocks stand at the end of this day: the last day, or today while it runs"
    )
    goals: list[GoalProgress] = Field(
        description="One per goal of the campaign: flows, then stocks, then kinds of activity"
    )


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
