import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.core.pagination import Page
from app.households.schemas import HouseholdRead


class AccessRead(BaseModel):
    """Who read personal data: a record by id or in an export (`record_id`, `file`), or a page of a
    list or change feed (`filter`, `record_ids`); `count` reads of it that day."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    day: date
    first_at: datetime
    last_at: datetime
    actor_id: uuid.UUID = Field(description="The user, or the API key (`actor_kind`)")
    actor_name: str
    actor_kind: str = Field(description="`user` or `api_key`")
    route: str = Field(description="The route template, such as `/api/v1/households/{household_id}`")
    resource: str
    record_id: str | None
    record_ids: list[str] | None = Field(description="A page: the ids it returned")
    filter: str | None = Field(description="A page: its filter, as a query string")
    file: str | None = Field(description="An export: the file's name")
    unit_id: uuid.UUID | None
    count: int

    @field_validator("record_ids", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return value.split() if isinstance(value, str) else value


class AccessList(Page[AccessRead]):
    pass


class PersonalChange(BaseModel):
    """A change of the household's personal fields, from the audit log."""

    at: datetime
    actor_name: str
    action: str
    before: dict[str, Any] | None = Field(description="The personal fields before (null on a create)")
    after: dict[str, Any] | None = Field(description="The personal fields after (null on a delete)")


class VisitRead(BaseModel):
    id: uuid.UUID
    occurred_at: datetime
    kind: str
    people_count: int
    note: str | None


class PersonalData(BaseModel):
    """Everything the system holds about a household (a data subject's request, Law 91/2025/QH15)."""

    household: HouseholdRead
    history: list[PersonalChange] = Field(description="Changes of its personal fields, oldest first")
    activities: list[VisitRead] = Field(description="Support recorded for the household")
    access: list[AccessRead] = Field(description="Who read its personal data")
