import uuid
from datetime import datetime

from sqlalchemy import String, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from app.core.text import fold
from app.models.base import UTCDateTime, Versioned, created_field, id_field


class User(Versioned, SQLModel, table=True):
    """A person who signs in. `search_text` (the folded username and full name) is kept by the model
    itself, whoever writes the user."""

    __tablename__ = "users"

    id: uuid.UUID = id_field()
    username: str = Field(sa_type=String(50), unique=True, nullable=False)
    full_name: str = Field(sa_type=String(200), nullable=False)
    phone: str | None = Field(default=None, sa_type=String(20))
    password_hash: str = Field(sa_type=String(255), nullable=False)
    is_active: bool = Field(default=True, nullable=False)
    search_text: str = Field(default="", sa_type=String(260), nullable=False)


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _search_text(_mapper, _connection, user: User) -> None:
    user.search_text = f"{fold(user.username)} {fold(user.full_name)}"


class RoleAssignment(SQLModel, table=True):
    """A role held at a unit; the holder acts on that unit's subtree. Admins hold theirs at no unit."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id"),)

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True, nullable=False)
    role: str = Field(sa_type=String(32), nullable=False)
    unit_id: uuid.UUID | None = Field(default=None, foreign_key="units.id", ondelete="RESTRICT", index=True)


class RefreshToken(SQLModel, table=True):
    """One issued refresh token. Rotation spends it; reuse of a spent one revokes its family."""

    __tablename__ = "refresh_tokens"

    id: uuid.UUID = id_field()
    user_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", index=True, nullable=False)
    family_id: uuid.UUID = Field(index=True, nullable=False)
    token_hash: str = Field(sa_type=String(64), unique=True, nullable=False)
    created_at: datetime = created_field()
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
