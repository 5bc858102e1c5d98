import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.authz.permissions import Role
from app.core.fields import Flag, Name, Password, Phone, Username
from app.core.pagination import Page


class RoleGrant(BaseModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)

    role: Role
    unit_id: uuid.UUID | None = None


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID | None = None
    username: Username
    full_name: Name
    phone: Phone | None = None
    password: Password
    is_active: Flag = True
    roles: list[RoleGrant] = Field(default_factory=list, max_length=20)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full_name: Name | None = None
    phone: Phone | None = None
    is_active: Flag | None = None
    roles: list[RoleGrant] | None = Field(default=None, max_length=20)


class UserRead(BaseModel):
    id: uuid.UUID
    username: str
    full_name: str
    phone: str | None
    is_active: bool
    roles: list[RoleGrant]
    version: int
    created_at: datetime
    updated_at: datetime


class UserList(Page[UserRead]):
    pass
