import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, String
from sqlmodel import Field, SQLModel

from app.models.base import JSONType, UTCDateTime, Versioned, id_field


class Campaign(Versioned, SQLModel, table=True):
    """A drive over a period in a unit: mobile support points, the VNeID signature campaign, …"""

    __tablename__ = "campaigns"

    id: uuid.UUID = id_field()
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="RESTRICT", nullable=False, index=True)
    kind: str = Field(sa_type=String(30), nullable=False)
    name: str = Field(sa_type=String(200), nullable=False)
    starts_on: date = Field(sa_type=Date, nullable=False)
    ends_on: date = Field(sa_type=Date, nullable=False)
    status: str = Field(default="planned", sa_type=String(20), nullable=False)
    goals: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType, nullable=False)


class CampaignEvent(Versioned, SQLModel, table=True):
    """A mobile support point or session of a campaign, in one unit of the campaign's subtree."""

    __tablename__ = "campaign_events"

    id: uuid.UUID = id_field()
    campaign_id: uuid.UUID = Field(foreign_key="campaigns.id", ondelete="CASCADE", nullable=False, index=True)
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="RESTRICT", nullable=False, index=True)
    title: str = Field(sa_type=String(200), nullable=False)
    location: str | None = Field(default=None, sa_type=String(300))
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class EventDuty(SQLModel, table=True):
    """A member on duty at an event."""

    __tablename__ = "event_duties"

    event_id: uuid.UUID = Field(foreign_key="campaign_events.id", ondelete="CASCADE", primary_key=True)
    member_id: uuid.UUID = Field(foreign_key="members.id", ondelete="CASCADE", primary_key=True, index=True)
