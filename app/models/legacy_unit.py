import uuid

from sqlalchemy import String
from sqlmodel import Field, SQLModel

from app.models.base import id_field


class LegacyUnit(SQLModel, table=True):
    """A pre-2025 commune (or an island district that had none) and one current commune it became
    part of: one row per (old unit, successor). An old commune split among several has several rows,
    `main` marking the one that took its seat. Names are stored short and folded (`dai ang`), for
    matching what old spreadsheets write. Loaded by `app.units.legacy`."""

    __tablename__ = "legacy_units"

    id: uuid.UUID = id_field()
    code: str | None = Field(default=None, sa_type=String(10), index=True)
    name: str | None = Field(default=None, sa_type=String(200))
    name_key: str = Field(sa_type=String(200), nullable=False, index=True)
    district_code: str = Field(sa_type=String(10), nullable=False)
    district_name: str = Field(sa_type=String(200), nullable=False)
    district_key: str = Field(sa_type=String(200), nullable=False)
    province_code: str = Field(sa_type=String(10), nullable=False)
    province_name: str = Field(sa_type=String(200), nullable=False)
    province_key: str = Field(sa_type=String(200), nullable=False)
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="CASCADE", nullable=False, index=True)
    main: bool = Field(default=True, nullable=False)
