import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from app.core.pagination import Page


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    at: datetime
    actor_id: uuid.UUID | None
    actor_name: str
    action: str
    resource: str
    resource_id: str | None
    unit_id: uuid.UUID | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditList(Page[AuditRead]):
    pass
