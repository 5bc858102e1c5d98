import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.feed import FeedPage
from app.core.fields import Code, Name, PlausibleDate
from app.core.pagination import Page
from app.models.unit import Settlement, UnitLevel

SETTLEMENT = "A village: urban (tổ dân phố) or rural (thôn); plan 004 sets targets for urban people"


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    code: Code
    name: Name
    level: UnitLevel
    parent_id: uuid.UUID | None = None
    valid_from: PlausibleDate | None = Field(default=None, description="First day; open when null")
    settlement: Settlement | None = Field(default=None, description=SETTLEMENT)


class UnitUpdate(BaseModel):
    """A rename: code and/or name, kept in the unit's history with the day it took effect. The place
    in the tree changes through `/move` and `/merge`. `settlement` (a village's) is no rename: it is
    set as it is, without history."""

    model_config = ConfigDict(extra="forbid")

    code: Code | None = None
    name: Name | None = None
    effective_on: PlausibleDate | None = Field(default=None, description="Default: today")
    settlement: Settlement | None = Field(default=None, description=SETTLEMENT)


class UnitMerge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    into_id: uuid.UUID = Field(description="The surviving unit, of the same level")
    effective_on: PlausibleDate = Field(
        description="The first day of the merged unit; it closes the day before"
    )


class UnitMove(BaseModel):
    model_config = ConfigDict(extra="forbid")

    parent_id: uuid.UUID = Field(
        description="The new parent: a commune for a village, a province for a commune"
    )
    effective_on: PlausibleDate


class UnitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    level: UnitLevel
    parent_id: uuid.UUID | None
    valid_from: date | None = Field(description="First day of the unit; null: since ever")
    valid_to: date | None = Field(description="Last day of the unit; null: open")
    merged_into_id: uuid.UUID | None = Field(description="The unit it was merged into, once closed")
    official: bool = Field(description="From the national list of provinces and communes")
    settlement: Settlement | None = Field(default=None, description=SETTLEMENT)
    version: int
    created_at: datetime
    updated_at: datetime


class UnitList(Page[UnitRead]):
    pass


class UnitFeed(FeedPage):
    """Units changed since a moment (`?updated_since=` or `?cursor=`), closed ones included: a phone
    moves its local records when a unit it holds is merged (`merged_into_id`) or moved."""

    items: list[UnitRead]


class UnitChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_id: uuid.UUID = Field(description="The unit that changed")
    kind: Literal["rename", "move", "merge"]
    effective_on: date
    name_before: str | None
    name_after: str | None
    code_before: str | None
    code_after: str | None
    parent_before_id: uuid.UUID | None
    parent_after_id: uuid.UUID | None
    related_unit_id: uuid.UUID | None = Field(
        description="merge: the surviving unit; move: the merged parent that handed the unit over"
    )
    recorded_at: datetime
    recorded_by: str


class UnitHistory(Page[UnitChangeRead]):
    """A unit's renames, moves and merger, and the units merged into it, by effective date."""


class OldUnit(BaseModel):
    code: str | None = Field(description="The pre-2025 commune code (null for an island district)")
    name: str | None
    district_code: str
    district: str
    province_code: str
    province: str


class Successor(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    province_id: uuid.UUID | None
    province: str | None
    main: bool = Field(description="The unit that took the old commune's seat, when it was split")


class Resolution(BaseModel):
    old: OldUnit
    split: bool = Field(description="The old commune was divided among several current communes")
    units: list[Successor] = Field(description="The current communes it became part of, main first")


class ResolutionList(Page[Resolution]):
    pass


class VillageImport(BaseModel):
    created: list[UnitRead] = Field(description="Villages the list added")
    existing: list[UnitRead] = Field(description="Villages of the list the commune already had")
