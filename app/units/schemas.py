import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from app.core.fields import Code, Name
from app.core.pagination import Page
from app.models.unit import UnitLevel


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    code: Code
    name: Name
    level: UnitLevel
    parent_id: uuid.UUID | None = None


class UnitUpdate(BaseModel):
    """A unit keeps its place in the tree; code and name can change."""

    model_config = ConfigDict(extra="forbid")

    code: Code | None = None
    name: Name | None = None


class UnitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    level: UnitLevel
    parent_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime


class UnitList(Page[UnitRead]):
    pass
