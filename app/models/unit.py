import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy import ColumnElement, Date, Index, String, UniqueConstraint, and_, or_
from sqlmodel import Field, SQLModel

from app.models.base import Versioned, id_field


class Settlement(StrEnum):
    urban = "urban"  # thành thị: tổ dân phố, khu phố
    rural = "rural"  # nông thôn: thôn, ấp, bản


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
    a subtree is `path LIKE '<prefix>%'` on both databases.

    A unit is valid from `valid_from` to `valid_to` (inclusive; open when null). A unit merged into
    another closes the day before the merger and moves under the survivor (`merged_into_id`), so the
    survivor's subtree keeps its history. `official` units come from the national list
    (`app.units.official`); villages are local."""

    __tablename__ = "units"
    __table_args__ = (
        Index("ix_units_path", "path", unique=True, postgresql_ops={"path": "varchar_pattern_ops"}),
        UniqueConstraint("level", "code"),
    )

    id: uuid.UUID = id_field()
    code: str = Field(sa_type=String(50), nullable=False)
    name: str = Field(sa_type=String(200), nullable=False)
    name_folded: str = Field(sa_type=String(200), nullable=False, index=True)
    level: str = Field(sa_type=String(10), nullable=False, index=True)
    parent_id: uuid.UUID | None = Field(default=None, foreign_key="units.id", ondelete="RESTRICT", index=True)
    path: str = Field(sa_type=String(200), nullable=False)
    valid_from: date | None = Field(default=None, sa_type=Date)
    valid_to: date | None = Field(default=None, sa_type=Date)
    merged_into_id: uuid.UUID | None = Field(default=None, foreign_key="units.id", ondelete="RESTRICT")
    official: bool = Field(default=False, nullable=False)
    # A village in a town or in the countryside (plan 004 sets targets for urban people): "urban",
    # "rural", or null when not said.
    settlement: str | None = Field(default=None, sa_type=String(10))


def valid_between(start: date, end: date) -> ColumnElement[bool]:
    """Units valid on at least one day from `start` to `end` (both included)."""
    return and_(
        or_(Unit.valid_from.is_(None), Unit.valid_from <= end),
        or_(Unit.valid_to.is_(None), Unit.valid_to >= start),
    )


def valid_on(day: date) -> ColumnElement[bool]:
    """Units valid on `day`: the tree as it stood then."""
    return valid_between(day, day)
