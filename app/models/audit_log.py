import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, UTCDateTime, id_field, utcnow


class AuditLog(SQLModel, table=True):
    """Who changed what and when. No foreign keys: history outlives the rows it describes."""

    __tablename__ = "audit_log"

    id: uuid.UUID = id_field()
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    actor_id: uuid.UUID | None = Field(default=None, index=True)
    actor_name: str = Field(sa_type=String(100), nullable=False)
    action: str = Field(sa_type=String(20), nullable=False)
    resource: str = Field(sa_type=String(40), nullable=False, index=True)
    resource_id: str | None = Field(default=None, sa_type=String(64), index=True)
    unit_id: uuid.UUID | None = Field(default=None, index=True)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
