import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.fields import text
from app.core.pagination import Page

IndicatorCode = Literal[
    "households_informed_pct",
    "households_digital_pct",
    "adults_digital_skills_pct",
    "adults_smartphone_pct",
    "adults_epay_pct",
    "adults_vneid_pct",
    "adults_signature_pct",
    "business_cashless_pct",
    "assistance_assigned_pct",
    "members_trained_pct",
    "villages_with_team_pct",
    "people_supported",
    "online_dossiers",
    "signatures_created",
]
PeriodCode = Annotated[
    str, Field(pattern=r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$", examples=["2026-06", "2026-Q2", "2026"])
]
Year = Annotated[int, Field(ge=2000, le=2100)]


class IndicatorValue(BaseModel):
    code: str
    name: str
    kind: Literal["stock", "flow"]
    value: float | None = Field(description="Percent (0–100) or a count; null when the denominator is empty")
    numerator: int
    denominator: int | None
    target: float | None
    target_unit_id: uuid.UUID | None = Field(default=None, description="The unit whose target applies")
    met: bool | None


class KpiRead(BaseModel):
    unit_id: uuid.UUID
    unit_name: str
    period: str
    indicators: list[IndicatorValue]
    composite_score: float | None


class BreakdownRow(BaseModel):
    rank: int | None
    unit_id: uuid.UUID
    code: str
    name: str
    value: float | None
    numerator: int | None
    denominator: int | None
    target: float | None
    met: bool | None


class BreakdownRead(BaseModel):
    unit_id: uuid.UUID
    period: str
    indicator: str
    rows: list[BreakdownRow]


class TargetCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    unit_id: uuid.UUID
    year: Year
    indicator: IndicatorCode
    value: float = Field(ge=0, le=10_000_000)


class TargetUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: float = Field(ge=0, le=10_000_000)


class TargetRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_id: uuid.UUID
    year: int
    indicator: str
    value: float
    version: int
    created_at: datetime
    updated_at: datetime


class EffectiveTarget(BaseModel):
    indicator: str
    value: float
    year: int
    unit_id: uuid.UUID = Field(description="Where the target is set")
    target_id: uuid.UUID
    inherited: bool


class EffectiveTargets(BaseModel):
    unit_id: uuid.UUID
    year: int
    items: list[EffectiveTarget]


class SnapshotCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: uuid.UUID
    period: PeriodCode


class SnapshotReturn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: text(1000, 1, multiline=True)


ReportText = text(4000, multiline=True)


class SnapshotUpdate(BaseModel):
    """The written sections of a draft or returned report (plan 002: state the results, the
    difficulties and the proposed solutions)."""

    model_config = ConfigDict(extra="forbid")

    results: ReportText | None = Field(default=None, description="Kết quả nổi bật")
    difficulties: ReportText | None = Field(default=None, description="Khó khăn, vướng mắc")
    proposals: ReportText | None = Field(default=None, description="Đề xuất, giải pháp")


class SnapshotRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_id: uuid.UUID
    unit_name: str | None = Field(description="The unit's name on the day the figures were frozen")
    unit_code: str | None = Field(description="The unit's code on the day the figures were frozen")
    period: str
    status: Literal["draft", "submitted", "approved", "returned"]
    indicators: list[IndicatorValue]
    frozen_at: datetime
    closed: bool
    due_on: date
    late: bool
    submitted_at: datetime | None
    submitted_by: str | None
    approved_at: datetime | None
    approved_by: str | None
    returned_at: datetime | None
    returned_by: str | None
    return_reason: str | None
    results: str | None
    difficulties: str | None
    proposals: str | None
    signer_name: str | None = Field(description="Who signed it (full name), set on submission")
    signer_title: str | None = Field(description="Their title, as the document's signature block shows it")
    parent_name: str | None = Field(description="The body above the unit when the figures were frozen")
    version: int


class SnapshotList(Page[SnapshotRead]):
    pass


class PendingUnit(BaseModel):
    unit_id: uuid.UUID
    code: str
    name: str
    snapshot_id: uuid.UUID | None
    status: str | None = Field(description="null: no report yet")
    due_on: date
    late: bool


class PendingReports(BaseModel):
    """Units whose report is not sent yet (`items`: not submitted, or returned)."""

    unit_id: uuid.UUID
    period: str
    due_on: date
    items: list[PendingUnit]
