"""Activities (lượt hỗ trợ): one act of help, what the field records most, often offline."""

import uuid
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.core.feed import FeedPage, Tombstone
from app.core.fields import AwareMoment, LongText
from app.core.pagination import Page
from app.kpi.schemas import IndicatorValue
from app.models.base import utcnow
from app.models.unit import Settlement


class ActivityKind(StrEnum):
    vneid_activation = "vneid_activation"
    dvc_account = "dvc_account"
    online_dossier = "online_dossier"
    epay_account = "epay_account"
    digital_signature = "digital_signature"
    skills_guidance = "skills_guidance"
    ecommerce = "ecommerce"
    cyber_safety = "cyber_safety"
    # The everyday services the plans name (001, 002, 004, 000):
    ehealth = "ehealth"  # sức khỏe điện tử: health records, booking a doctor
    education = "education"  # the school's apps: parents, pupils, marks
    vssid = "vssid"  # VssID, social insurance
    transport = "transport"  # transport and traffic services
    public_feedback = "public_feedback"  # phản ánh, kiến nghị on the national public service portal
    communication = "communication"
    other = "other"


# The kinds as a Vietnamese report names them.
KIND_LABELS = {
    "vneid_activation": "Kích hoạt VNeID",
    "dvc_account": "Tài khoản dịch vụ công",
    "online_dossier": "Nộp hồ sơ trực tuyến",
    "epay_account": "Tài khoản thanh toán",
    "digital_signature": "Chữ ký số",
    "skills_guidance": "Hướng dẫn kỹ năng số",
    "ecommerce": "Thương mại điện tử",
    "cyber_safety": "An toàn trên mạng",
    "ehealth": "Y tế số (sổ sức khỏe, đặt lịch khám)",
    "education": "Ứng dụng nhà trường",
    "vssid": "Bảo hiểm xã hội số (VssID)",
    "transport": "Giao thông, vận tải",
    "public_feedback": "Phản ánh, kiến nghị trên Cổng DVC",
    "communication": "Tuyên truyền",
    "other": "Việc khác",
}


class Channel(StrEnum):
    """How a communication (tuyên truyền) reached people (plans 000, 004)."""

    loudspeaker = "loudspeaker"  # loa truyền thanh cơ sở
    zalo_group = "zalo_group"  # the village's Zalo group
    social_network = "social_network"  # Facebook and other social networks
    website = "website"  # the commune's web portal
    leaflet = "leaflet"  # tờ rơi
    poster = "poster"  # bảng tin, pa nô, áp phích
    meeting = "meeting"  # a village or union meeting
    other = "other"


CHANNEL_LABELS = {
    "loudspeaker": "Loa truyền thanh",
    "zalo_group": "Nhóm Zalo",
    "social_network": "Mạng xã hội",
    "website": "Cổng thông tin điện tử",
    "leaflet": "Tờ rơi",
    "poster": "Bảng tin, pa nô, áp phích",
    "meeting": "Họp thôn, sinh hoạt đoàn thể",
    "other": "Khác",
}
# Who was helped: how many of the people helped were in each group (a person may be in several).
GROUPS = ("elderly_count", "disabled_count", "minority_count", "student_count", "worker_count")
GROUP_LABELS = {
    "elderly_count": "Người cao tuổi",
    "disabled_count": "Người khuyết tật",
    "minority_count": "Đồng bào dân tộc thiểu số",
    "student_count": "Học sinh, sinh viên",
    "worker_count": "Người lao động",
}


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
GroupCount = Annotated[int, Field(ge=0, le=1000)]
ReachCount = Annotated[
    int,
    Field(
        ge=0, le=1_000_000, description="People a communication reached (a Zalo group's members, a meeting)"
    ),
]
_GROUP = "Of the people helped, how many were {}"


class WhoWasHelped(BaseModel):
    """Of the people helped, how many were in each group (plans 004, 000; one person may be in several).
    Each at most `people_count`."""

    elderly_count: GroupCount = Field(default=0, description=_GROUP.format("elderly"))
    disabled_count: GroupCount = Field(default=0, description=_GROUP.format("people with disabilities"))
    minority_count: GroupCount = Field(default=0, description=_GROUP.format("of an ethnic minority"))
    student_count: GroupCount = Field(default=0, description=_GROUP.format("students or pupils"))
    worker_count: GroupCount = Field(default=0, description=_GROUP.format("workers"))


class ActivityCreate(WhoWasHelped):
    """An act of help. The references must agree with `unit_id` (checked by the service); with only
    `event_id`, `campaign_id` is taken from the event. A communication may name its `channel` and
    `reach_count`; no other kind has them."""

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
    channel: Channel | None = Field(default=None, description="A communication's channel")
    reach_count: ReachCount = 0


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
    elderly_count: GroupCount | None = None
    disabled_count: GroupCount | None = None
    minority_count: GroupCount | None = None
    student_count: GroupCount | None = None
    worker_count: GroupCount | None = None
    channel: Channel | None = None
    reach_count: ReachCount | None = None


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
    # Optional in the schema: clients written before them still type-check.
    elderly_count: int = 0
    disabled_count: int = 0
    minority_count: int = 0
    student_count: int = 0
    worker_count: int = 0
    channel: Channel | None = None
    reach_count: int = 0
    version: int
    created_at: datetime
    updated_at: datetime


class ActivityList(Page[ActivityRead]):
    pass


class ActivityFeed(FeedPage):
    """Changes since a moment (`?updated_since=` or `?cursor=`): records, or tombstones for deletions."""

    items: list[ActivityRead | Tombstone]


# --- what an area's activities add up to, by kind of help, channel, group and settlement --------------


class Tally(BaseModel):
    """Activities and what they add up to: people helped (and how many of them in each group), dossiers,
    and the people communications reached."""

    activities: int = 0
    people_count: int = 0
    dossier_count: int = 0
    reach_count: int = 0
    elderly_count: int = 0
    disabled_count: int = 0
    minority_count: int = 0
    student_count: int = 0
    worker_count: int = 0


class KindTally(Tally):
    kind: ActivityKind
    label: str


class ChannelTally(Tally):
    channel: Channel | None = Field(description="null: a communication that named no channel")
    label: str


class GroupTally(BaseModel):
    group: str = Field(description="The activity field that counts it: elderly_count, disabled_count…")
    label: str
    people_count: int = Field(description="People of this group helped")
    share: float | None = Field(description="Percent of all the people helped; null when nobody was")


class SettlementTally(Tally):
    settlement: Settlement | None = Field(description="null: villages (or communes) not marked")
    label: str
    indicators: list[IndicatorValue] = Field(
        description="The household indicators of the villages of this kind at the period's end, and the "
        "flows of their activities in it (plan 004: urban adults paying electronically > 50 %)"
    )


class ActivitySummary(BaseModel):
    """An area's activities over a period: by kind of help, by channel of communication, by group of
    people helped, and by urban or rural village."""

    unit_id: uuid.UUID
    unit_name: str
    period: str
    starts_on: date
    ends_on: date = Field(description="The period's last day")
    total: Tally
    by_kind: list[KindTally] = Field(description="Every kind of help, in order, those with none too")
    by_group: list[GroupTally]
    by_channel: list[ChannelTally] = Field(description="The communications, by channel")
    by_settlement: list[SettlementTally] = Field(description="Urban, rural, then not marked")
