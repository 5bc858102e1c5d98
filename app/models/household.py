import uuid
from datetime import date, datetime

from sqlalchemy import Index, String, text
from sqlmodel import Field, SQLModel

from app.models.base import SoftDeleted, UTCDateTime, Versioned, id_field

# The adults counts: each between 0 and adults_count (DOMAIN.md, "Household").
ADULT_COUNTS = (
    "adults_smartphone",
    "adults_digital_skills",
    "adults_vneid",
    "adults_dvc",
    "adults_epay",
    "adults_signature",
)


class Household(Versioned, SoftDeleted, SQLModel, table=True):
    """A household: counts, not a register of persons. `search_text` is the folded head name, code,
    phone and address, for accent-insensitive search (a trigram index on PostgreSQL); `sort_key` the
    head name's place in a Vietnamese list (`app.core.text.name_key`)."""

    __tablename__ = "households"
    __table_args__ = (
        # A village's change feed, in its order (deleted ones too: they are its tombstones). Without
        # it a phone's first sync read the whole country's households by `updated_at` (214 ms to
        # 3 s on 1M households, under load).
        Index("ix_households_unit_id_updated_at", "unit_id", "updated_at", "id"),
        # The list's order (Vietnamese name order, then id), live households only.
        Index(
            "ix_households_unit_id_sort_key",
            "unit_id",
            "sort_key",
            "id",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        Index(
            "uq_households_unit_id_code",
            "unit_id",
            "code",
            unique=True,
            sqlite_where=text("deleted_at IS NULL AND code IS NOT NULL"),
            postgresql_where=text("deleted_at IS NULL AND code IS NOT NULL"),
        ),
        Index(
            "ix_households_search_text_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )

    id: uuid.UUID = id_field()
    unit_id: uuid.UUID = Field(foreign_key="units.id", ondelete="RESTRICT", nullable=False)
    code: str | None = Field(default=None, sa_type=String(50))
    head_name: str = Field(sa_type=String(200), nullable=False)
    address: str | None = Field(default=None, sa_type=String(300))
    phone: str | None = Field(default=None, sa_type=String(20))
    search_text: str = Field(default="", sa_type=String(300), nullable=False)
    sort_key: str = Field(default="", sa_type=String(200), nullable=False)
    members_count: int = Field(default=1, nullable=False)
    adults_count: int = Field(default=1, nullable=False)
    adults_smartphone: int = Field(default=0, nullable=False)
    adults_digital_skills: int = Field(default=0, nullable=False)
    adults_vneid: int = Field(default=0, nullable=False)
    adults_dvc: int = Field(default=0, nullable=False)
    adults_epay: int = Field(default=0, nullable=False)
    adults_signature: int = Field(default=0, nullable=False)
    informed: bool = Field(default=False, nullable=False)
    has_digital_member: bool = Field(default=False, nullable=False)
    is_business: bool = Field(default=False, nullable=False)
    business_cashless: bool = Field(default=False, nullable=False)
    # A business household's OCOP products, and its products on sale on e-commerce platforms (000, 001).
    ocop_products: int = Field(default=0, nullable=False)
    ecommerce_listings: int = Field(default=0, nullable=False)
    needs_assistance: bool = Field(default=False, nullable=False)
    assigned_member_id: uuid.UUID | None = Field(
        default=None, foreign_key="members.id", ondelete="SET NULL", index=True
    )
    last_visit_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    note: str | None = Field(default=None, sa_type=String(2000))
    # Consent to keeping its personal data (Law 91/2025/QH15): the day it was given and who collected it.
    consent_on: date | None = Field(default=None)
    consent_by: str | None = Field(default=None, sa_type=String(100))
