"""The 10/10 awards (Ngày Chuyển đổi số, plan 000): a ranking of a commune's villages or a province's
communes by a weighted score, frozen at the cut-off."""

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.fields import Name, PlausibleDate
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
    version: int
    created_at: datetime
    updated_at: datetime


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


class AwardList(Page[AwardRead]):
    pass
