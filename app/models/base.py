"""Column types and mixins shared by every table."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, TypeDecorator
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from app.core.ids import uuid7

# Stable constraint names, so migrations can name what they drop or alter on both databases.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC on both databases (SQLite stores naive text and would lose the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


JSONType = JSON().with_variant(JSONB(), "postgresql")


def id_field(**kwargs: Any) -> Any:
    return Field(default_factory=uuid7, primary_key=True, **kwargs)


def created_field() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


class Versioned:
    """A mutable record: `version` feeds ETag/If-Match; `updated_at` feeds the change feed."""

    version: int = Field(default=1, nullable=False)
    created_at: datetime = created_field()
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False, index=True)

    def touch(self) -> None:
        self.version += 1
        self.updated_at = utcnow()


class SoftDeleted:
    """A record phones sync: a delete leaves a tombstone (`deleted_at`) that the change feed reports."""

    deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


__all__ = [
    "JSONType",
    "SoftDeleted",
    "UTCDateTime",
    "Versioned",
    "created_field",
    "id_field",
    "utcnow",
    "uuid",
]
