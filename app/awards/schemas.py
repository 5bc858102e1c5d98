"""The 10/10 awards (Ngày Chuyển đổi số, plan 000): a ranking of a commune's villages or a province's
communes by a weighted score, frozen at the cut-off."""

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.fields import Flag, Name, PastDate, PlausibleDate, text
from app.core.pagination import Page
from app.kpi.indicators import DEFAULT_WEIGHTS, FORMULA
from app.kpi.schemas import IndicatorCode, PeriodCode

Weight = Annotated[float, Field(ge=0, le=100)]
Weights = Annotated[
    dict[IndicatorCode, Weight],
    Field(
        min_length=1,
        description=f"Indicator → weight (0–100). {FORMULA} Default: every percentage indicator weighs 1.",
    ),
]


class AwardCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    unit_id: uuid.UUID = Field(description="A commune (ranking its villages) or a province (its communes)")
    title: Name = Field(examples=["Khen thưởng Ngày Chuyển đổi số 10/10/2026"])
    period: PeriodCode = Field(description="The period the figures cover: `2026`, `2026-Q3` or `2026-09`")
    cutoff_on: PlausibleDate = Field(description="The ranking freezes at the end of this day (Vietnam time)")
    weights: Weights = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))


class AwardUpdate(BaseModel):
    """Any subset of fields, while the award is open."""

    model_config = ConfigDict(extra="forbid")

    title: Name | None = None
    period: PeriodCode | None = None
    cutoff_on: PlausibleDate | None = None
    weights: Weights | None = None


class AwardIndicator(BaseModel):
    code: str
    name: str
    value: float | None
    target: float | None
    attainment: float | None = Field(description="value ÷ target, at most 1; None without data or target")
    weight: float


class AwardRow(BaseModel):
    rank: int | None = Field(description="1 is best; ties share a rank; none without a score or without data")
    unit_id: uuid.UUID
    code: str
    name: str
    teams: list[str] = Field(description="The unit's active teams")
    score: float | None
    indicators: list[AwardIndicator]


class AwardRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_id: uuid.UUID
    title: str
    period: str
    cutoff_on: date
    weights: dict[str, float]
    status: Literal["open", "frozen"]
    frozen_at: datetime | None
    frozen_by: str | None
    formula: str = FORMULA
    decision_no: str | None = Field(default=None, description="The decision honouring the accepted proposals")
    decision_date: date | None = None
    decided_at: datetime | None = None
    decided_by: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class PersonRow(BaseModel):
    """A member or a team ranked by the help given in the award's span (activities recorded under
    them, dated up to `as_of`): people helped first, then acts of help."""

    rank: int
    id: uuid.UUID
    name: str
    team: str | None = Field(default=None, description="A member's team")
    unit_id: uuid.UUID
    unit_name: str
    people_supported: int
    activities: int


class PeopleRanking(BaseModel):
    members: list[PersonRow] = Field(
        description="The members who helped most (their names: for callers who may read members)"
    )
    teams: list[PersonRow] = Field(description="The teams whose members helped most")


class AwardRanking(AwardRead):
    ranking: list[AwardRow] = Field(
        description="The candidates, units with data for some weighted indicator: ranked by score, best "
        "first, ties sharing a rank; a unit without a score (no target) last, unranked. The figures "
        "are those at the end of `as_of`: live until the cut-off day is over, as frozen afterwards"
    )
    no_data: list[AwardRow] = Field(
        description="Units with no data for any weighted indicator: listed apart, never ranked"
    )
    as_of: date = Field(
        description="The figures stand at the end of this day (Vietnam time): the cut-off, or the "
        "period's last day when the period ends first. Stocks as they stood then, flows dated up to it"
    )
    cutoff_passed: bool = Field(
        description="The cut-off day is over (Vietnam time): the ranking counts that day's figures and "
        "may be frozen. Before that it is provisional: the figures still move until the day ends"
    )
    people: PeopleRanking = Field(
        default_factory=lambda: PeopleRanking(members=[], teams=[]),
        description="Members and teams ranked too, on the same span; frozen with the units",
    )


class AwardList(Page[AwardRead]):
    pass


# --- proposals (plan 000 IV.7: the team leader or village head proposes, the commune reviews) -----

NominationKind = Literal["member", "team", "initiative"]
NominationStatus = Literal["proposed", "accepted", "rejected"]
Reason = text(2000, 1, multiline=True)


class NominationCreate(BaseModel):
    """Propose a member, a team or an initiative (the one id of its kind) with the reason: what they did."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    kind: NominationKind
    member_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    initiative_id: uuid.UUID | None = None
    reason: Reason = Field(examples=["Hướng dẫn 120 người cao tuổi kích hoạt VNeID mức 2 trong quý III"])


class NominationReview(BaseModel):
    """The commune's review: accepted (to be honoured by the decision) or rejected, with a note."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["accepted", "rejected"]
    note: text(500) | None = None


class NominationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    award_id: uuid.UUID
    unit_id: uuid.UUID
    kind: NominationKind
    member_id: uuid.UUID | None
    team_id: uuid.UUID | None
    initiative_id: uuid.UUID | None
    name: str = Field(description="The nominee as proposed")
    reason: str
    status: NominationStatus
    proposed_by: str
    review_note: str | None
    reviewed_by: str | None
    reviewed_at: datetime | None
    version: int
    created_at: datetime
    updated_at: datetime


class NominationList(Page[NominationRead]):
    pass


class AwardDecision(BaseModel):
    """The Chairman's decision (number, date): it honours the accepted proposals; every proposal must
    be reviewed first."""

    model_config = ConfigDict(extra="forbid")

    decision_no: text(50, 1) = Field(examples=["1234/QĐ-UBND"])
    decision_date: PastDate


# --- good models and initiatives ("mô hình hay, cách làm hiệu quả") ------------------------------


class InitiativeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    unit_id: uuid.UUID = Field(description="Where it was born: a village, a commune or a province")
    title: Name = Field(examples=["Mô hình “Chợ số - Nông thôn số”"])
    description: text(4000, 1, multiline=True)
    results: text(2000, multiline=True) | None = None
    shared: Flag = Field(default=False, description="Shared with every commune (read by all)")


class InitiativeUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Name | None = None
    description: text(4000, 1, multiline=True) | None = None
    results: text(2000, multiline=True) | None = None
    shared: Flag | None = None


class InitiativeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_id: uuid.UUID
    unit_name: str = ""
    title: str
    description: str
    results: str | None
    shared: bool
    version: int
    created_at: datetime
    updated_at: datetime


class InitiativeList(Page[InitiativeRead]):
    pass
