import uuid

from pydantic import BaseModel, ConfigDict, Field

from app.core.fields import Token
from app.users.schemas import RoleGrant


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the access token expires")


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: Token


class Me(BaseModel):
    id: uuid.UUID
    username: str
    full_name: str
    phone: str | None
    roles: list[RoleGrant]
    permissions: list[str] = Field(description="Everything the caller may do somewhere in its area")
    grantable: list["Grantable"] = Field(
        default_factory=list, description="The roles the caller may give others, and where they may be held"
    )


class Grantable(BaseModel):
    role: str
    levels: list[str] = Field(description="The unit levels the role is held at; empty: at no unit (admin)")
