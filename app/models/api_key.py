import uuid
from datetime import datetime

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, Versioned, id_field


class ApiKey(Versioned, SQLModel, table=True):
    """A third-party system's key: the integration role at one unit, read-only or read-write.

    The key is `cnscd_<prefix>_<secret>`; only its SHA-256 digest is stored, and the prefix finds the
    row. A revoked key keeps its row, so the audit trail still names it."""

    __tablename__ = "api_keys"

    id: uuid.UUID = id_field()
    name: str = Field(sa_type=String(100), nullable=False)
    prefix: str = Field(sa_type=String(16), unique=True, nullable=False)
    key_hash: str = Field(sa_type=String(64), nullable=False)
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="RESTRICT", index=True, nullable=False)
    read_only: bool = Field(default=True, nullable=False)
    # Limited to reading households and updating their VNeID and signature counts (the commune
    # police, Đề án 06; plan 004): nothing else, whatever `read_only` says.
    vneid_only: bool = Field(default=False, nullable=False)
    created_by: str = Field(sa_type=String(100), nullable=False)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    rotated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
