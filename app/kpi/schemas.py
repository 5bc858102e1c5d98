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
    "adults_dvc_pct",
    "households_skills_pct",
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
# A count target's month or quarter within its year (the year's own target has none).
TargetPeriod = Annotated[
    str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$", examples=["2026-06", "2026-Q2"])
]
# A report's period: a month, quarter or year, or an ad-hoc report's days (both included).
ReportPeriodCode = Annotated[
    str,
    Field(
        pattern=r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$|^\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}$",
        examples=["2026-06", "2026-Q2", "2026", "2026-06-05..2026-06-20"],
    ),
]
TargetBasis = Literal[
    "year", "quarter", "month", "quarter_share", "month_share", "quarter_month_share", "day_share"
]
ReportDay = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


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
    target_basis: TargetBasis | None = Field(
        default=None,
        description="What `target` is: `year` (a rate's, or a count's year), `quarter`, `month` (set for "
        "it), `quarter_share` (1/4 of the year's), `month_share` (1/12 of the year's), `quarter_month_share` "
        "(1/3 of the quarter's), `day_share` (the year's by the days of a range). A count's target is its "
        "unit's own: no unit below inherits it",
    )
    ytd_value: float | None = Field(
        default=None, description="A count's total from the year's start to the period's end"
    )
    year_target: float | None = Field(
        default=None, description="A count's target for the whole year (its unit's own)"
    )


class KpiRead(BaseModel):
    unit_id: uuid.UUID
    unit_name: str
    period: str
    indicators: list[IndicatorValue]
    composite_score: float | None


class KpiMonth(BaseModel):
    period: str
    indicators: list[IndicatorValue]
    composite_score: float | None


class KpiTrend(BaseModel):
    """A year month by month (up to the current month): each as `GET /kpi` answers it."""

    unit_id: uuid.UUID | None = Field(description="null: the whole country")
    unit_name: str
    year: int
    months: list[KpiMonth]


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
    target_basis: TargetBasis | None = None
    ytd_value: float | None = None
    year_target: float | None = None


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
    period: TargetPeriod | None = Field(
        default=None, description="A count's month or quarter of `year`; null: the whole year"
    )


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
    period: str | None = Field(description="A count target's month or quarter; null: the year")
    version: int
    created_at: datetime
    updated_at: datetime


class EffectiveTarget(BaseModel):
    indicator: str
    value: float
    year: int
    period: str | None = Field(default=None, description="A count target's month or quarter; null: the year")
    unit_id: uuid.UUID = Field(description="Where the target is set")
    target_id: uuid.UUID
    inherited: bool


class EffectiveTargets(BaseModel):
    unit_id: uuid.UUID
    year: int
    items: list[EffectiveTarget]


class SnapshotCreate(BaseModel):
    """A periodic report (`period`), or an ad-hoc one ("báo cáo đột xuất"): its days, the request it
    answers and the day it is due before."""

    model_config = ConfigDict(extra="forbid")

    unit_id: uuid.UUID
    period: PeriodCode | None = None
    starts_on: ReportDay | None = Field(default=None, description="Ad hoc: the first day")
    ends_on: ReportDay | None = Field(default=None, description="Ad hoc: the last day (included)")
    request_by: text(200, 1) | None = Field(default=None, description="Ad hoc: who asked for it")
    request_ref: text(200) | None = Field(
        default=None, description="Ad hoc: the request's number or reference (Công văn số …)"
    )
    due_on: ReportDay | None = Field(default=None, description="Ad hoc: the day it is due before")


class KindResult(BaseModel):
    kind: str
    name: str
    activities: int = Field(description="Acts of help recorded")
    people: int = Field(description="People helped")
    dossiers: int = Field(description="Dossiers filed online")


class ReportCounts(BaseModel):
    """Seed 004's four counts over the unit's subtree in the period."""

    youth_union_members: int = Field(description="Distinct Youth Union members who recorded help")
    people_supported: int
    online_dossiers: int
    signatures_created: int = Field(description="Digital signature certificates created")


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
    adhoc: bool = Field(description="An ad-hoc report (báo cáo đột xuất) over `starts_on`..`ends_on`")
    starts_on: date
    ends_on: date = Field(description="The period's last day")
    request_by: str | None
    request_ref: str | None
    by_kind: list[KindResult] = Field(description="The period's help by kind (empty for older reports)")
    counts: ReportCounts | None
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


class ReportDeadlinesUpdate(BaseModel):
    """When a province's reports are due: before `monthly_day` of the report's month (`same`) or of the
    next; before `quarterly_day` of the quarter's last month (`last`) or of the month after it."""

    model_config = ConfigDict(extra="forbid")

    monthly_day: int = Field(ge=1, le=31)
    monthly_month: Literal["same", "next"] = "same"
    quarterly_day: int = Field(ge=1, le=31)
    quarterly_month: Literal["last", "next"] = "last"


class ReportDeadlinesRead(ReportDeadlinesUpdate):
    province_id: uuid.UUID
    is_default: bool = Field(description="Plan 002's words: the province has set none")
    version: int | None = Field(description="null while the province keeps the defaults")


class PendingReports(BaseModel):
    """Units whose report is not sent yet (`items`: not submitted, or returned)."""

    unit_id: uuid.UUID
    period: str
    due_on: date
    items: list[PendingUnit]
