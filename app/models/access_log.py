import uuid
from datetime import date, datetime

from sqlalchemy import Index, String, Text
from sqlmodel import Field, SQLModel

from app.models.base import UTCDateTime, id_field


class AccessLog(SQLModel, table=True):
    """Who read whose personal data (Law 91/2025/QH15): one entry per record read by id or exported,
    one per list or change-feed page (naming its filter and the ids it returned). Reads of the same
    thing by one caller on one day fold into one entry (`fold_key`), `count` times. No foreign keys:
    the log outlives the rows it names."""

    __tablename__ = "access_log"
    __table_args__ = (Index("uq_access_log_fold", "actor_id", "day", "fold_key", unique=True),)

    id: uuid.UUID = id_field()
    day: date = Field(nullable=False, index=True)
    first_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    last_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    actor_id: uuid.UUID = Field(nullable=False, index=True)  # a user's id, or an API key's
    actor_name: str = Field(sa_type=String(100), nullable=False)
    actor_kind: str = Field(sa_type=String(10), nullable=False)  # "user" or "api_key"
    route: str = Field(sa_type=String(200), nullable=False)
    resource: str = Field(sa_type=String(40), nullable=False)
    record_id: str | None = Field(default=None, sa_type=String(64), index=True)  # a read by id or export
    record_ids: str | None = Field(default=None, sa_type=Text)  # a page: the ids it returned, space-separated
    filter: str | None = Field(default=None, sa_type=String(500))  # a page: its filter, as a query string
    file: str | None = Field(default=None, sa_type=String(200))  # an export: the file's name
    unit_id: uuid.UUID | None = Field(default=None, index=True)  # whose area it belongs to
    fold_key: str = Field(sa_type=String(64), nullable=False)
    count: int = Field(default=1, nullable=False)
