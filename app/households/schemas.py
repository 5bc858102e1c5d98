import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.feed import FeedPage, Tombstone
from app.core.fields import Code, Flag, LongText, Name, ObservedMoment, PastDate, PastMoment, Phone, text
from app.core.pagination import Page

PeopleCount = Annotated[int, Field(ge=0, le=100)]
OcopProducts = Annotated[
    int, Field(ge=0, le=100, description="A business household's OCOP-certified products")
]
Listings = Annotated[
    int,
    Field(ge=0, le=1000, description="Its products on sale on e-commerce platforms (voso.vn, postmart.vn…)"),
]
MembersCount = Annotated[int, Field(ge=1, le=100)]
Address = text(300)
Collector = text(100, 1)
CONSENT_ON = "The day the household agreed to its personal data (head name, phone, address) being kept"
CONSENT_BY = "Who collected the consent"
OBSERVED_AT = (
    "When these facts were seen (RFC 3339; default: now): a visit saved offline counts in the month it was "
    "made. Not in the future beyond a few minutes of clock skew, not more than a year back. An observation "
    "older than the household's latest is kept in its history and leaves the current counts as they are."
)


class HouseholdFacts(BaseModel):
    """What a visit updates: the counts and flags."""

    members_count: MembersCount = 1
    adults_count: PeopleCount = 1
    adults_smartphone: PeopleCount = 0
    adults_digital_skills: PeopleCount = 0
    adults_vneid: PeopleCount = 0
    adults_dvc: PeopleCount = 0
    adults_epay: PeopleCount = 0
    adults_signature: PeopleCount = 0
    informed: Flag = False
    has_digital_member: Flag = Field(default=False, description="A member has skills + VNeID + DVC account")
    is_business: Flag = False
    business_cashless: Flag = False
    ocop_products: OcopProducts = 0
    ecommerce_listings: Listings = 0
    needs_assistance: Flag = Field(default=False, description="Nobody in it can do it alone: assign a member")


class HouseholdCreate(HouseholdFacts):
    """A new household; the cross-field rules (app/households/rules.py) are checked by the service."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    unit_id: uuid.UUID = Field(description="The village")
    code: Code | None = None
    head_name: Name
    address: Address | None = None
    phone: Phone | None = None
    assigned_member_id: uuid.UUID | None = None
    last_visit_at: PastMoment | None = None
    note: LongText | None = None
    consent_on: PastDate | None = Field(default=None, description=CONSENT_ON)
    consent_by: Collector | None = Field(default=None, description=CONSENT_BY)
    observed_at: ObservedMoment | None = Field(default=None, description=OBSERVED_AT)


class HouseholdUpdate(BaseModel):
    """Any subset of fields; the rules are checked on the merged record. `unit_id` moves the household."""

    model_config = ConfigDict(extra="forbid")

    unit_id: uuid.UUID | None = None
    code: Code | None = None
    head_name: Name | None = None
    address: Address | None = None
    phone: Phone | None = None
    members_count: MembersCount | None = None
    adults_count: PeopleCount | None = None
    adults_smartphone: PeopleCount | None = None
    adults_digital_skills: PeopleCount | None = None
    adults_vneid: PeopleCount | None = None
    adults_dvc: PeopleCount | None = None
    adults_epay: PeopleCount | None = None
    adults_signature: PeopleCount | None = None
    informed: Flag | None = None
    has_digital_member: Flag | None = None
    is_business: Flag | None = None
    business_cashless: Flag | None = None
    ocop_products: OcopProducts | None = None
    ecommerce_listings: Listings | None = None
    needs_assistance: Flag | None = None
    assigned_member_id: uuid.UUID | None = None
    last_visit_at: PastMoment | None = None
    note: LongText | None = None
    consent_on: PastDate | None = Field(default=None, description=CONSENT_ON)
    consent_by: Collector | None = Field(default=None, description=CONSENT_BY)
    observed_at: ObservedMoment | None = Field(default=None, description=OBSERVED_AT)


class HouseholdRead(HouseholdFacts):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_id: uuid.UUID
    code: str | None
    head_name: str
    address: str | None
    phone: str | None
    assigned_member_id: uuid.UUID | None
    last_visit_at: datetime | None
    note: str | None
    consent_on: date | None = None  # optional in the schema: clients written before it still type-check
    consent_by: str | None = None
    version: int
    created_at: datetime
    updated_at: datetime


class HouseholdList(Page[HouseholdRead]):
    pass


class VisitNote(BaseModel):
    """A note left on a visit: what the household's `note` said from `at`, written by `actor_name`."""

    at: datetime
    actor_name: str
    note: str


class VisitNotes(Page[VisitNote]):
    pass


class HouseholdFeed(FeedPage):
    """Changes since a moment (`?updated_since=` or `?cursor=`): records, or tombstones for deletions."""

    items: list[HouseholdRead | Tombstone]


class ImportRowError(BaseModel):
    """One reason a row of an imported file was refused."""

    line: int = Field(description="The row as the spreadsheet numbers it (the header row is usually 1)")
    column: str | None = Field(description="The column as the file names it, when one is at fault")
    field: str | None = Field(description="The household field (`village` for the village column)")
    msg: str
    code: str = Field(default="validation", description="A stable machine code for the fault")


class ImportVillageCount(BaseModel):
    unit_id: uuid.UUID
    code: str
    name: str
    rows: int = Field(description="Valid rows for this village")


class ImportReport(BaseModel):
    """What an import read, what it would write (dry run) or wrote, and every bad row."""

    unit_id: uuid.UUID = Field(description="The commune or village imported into")
    dry_run: bool
    format: Literal["csv", "xlsx"]
    header_line: int = Field(description="The row taken as the header")
    columns: dict[str, str] = Field(description="Each recognised column and the field it fills")
    unknown_columns: list[str] = Field(description="Columns not recognised: ignored (a warning)")
    rows_read: int = Field(description="Non-empty rows below the header")
    rows_valid: int
    rows_invalid: int
    imported: int = Field(description="Households written: 0 for a dry run or a refused import")
    errors_total: int = Field(description="Every error found; `errors` lists the first ones")
    errors: list[ImportRowError]
    villages: list[ImportVillageCount] = Field(description="Valid rows per village")
