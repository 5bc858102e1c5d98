import uuid
from datetime import datetime

from sqlalchemy import LargeBinary, String
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, UTCDateTime, utcnow


class IdempotencyKey(SQLModel, table=True):
    """A POST's Idempotency-Key, per caller: the first response, replayed for a retry of the same request."""

    __tablename__ = "idempotency_keys"

    caller_id: uuid.UUID = Field(primary_key=True)
    key: str = Field(sa_type=String(255), primary_key=True)
    fingerprint: str = Field(sa_type=String(64), nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)
    status_code: int | None = None  # None while the first request is still running
    headers: dict[str, str] | None = Field(default=None, sa_type=JSONType)
    body: bytes | None = Field(default=None, sa_type=LargeBinary)
