import uuid
from enum import StrEnum

from sqlalchemy import Index, String
from sqlmodel import Field, SQLModel

from app.models.base import Versioned, id_field


class UnitLevel(StrEnum):
    province = "province"
    commune = "commune"
    village = "village"


PARENT_LEVEL = {
    UnitLevel.province: None,
    UnitLevel.commune: UnitLevel.province,
    UnitLevel.village: UnitLevel.commune,
}


class Unit(Versioned, SQLModel, table=True):
    """Administrative unit. `path` is the materialized path of ids (`<province>/<commune>/…/`):
    a subtree is `path LIKE '<prefix>%'` on both databases."""

    __tablename__ = "units"
    __table_args__ = (
        Index("ix_units_path", "path", unique=True, postgresql_ops={"path": "varchar_pattern_ops"}),
    )

    id: uuid.UUID = id_field()
    code: str = Field(sa_type=String(50), unique=True, nullable=False)
    name: str = Field(sa_type=String(200), nullable=False)
    name_folded: str = Field(sa_type=String(200), nullable=False, index=True)
    level: str = Field(sa_type=String(10), nullable=False, index=True)
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="units.id", ondelete="RESTRICT", index=True)
    path: str = Field(sa_type=String(200), nullable=False)
