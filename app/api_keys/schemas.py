import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from app.core.fields import AwareMoment, Flag, text
from app.core.pagination import Page

KeyName = text(100, 1)


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: KeyName = Field(description="Who uses the key, such as the system's name; 1 to 100 characters")
    unit_id: uuid.UUID = Field(description="The key acts on this unit's subtree, as the integration role")
    read_only: Flag = Field(default=True, description="A read-only key gets 403 on every write")
    vneid_only: Flag = Field(
        default=False,
        description="Limited to reading the households of its area and updating their VNeID and signature "
        "counts (the commune police, Đề án 06): 403 on everything else; such a key is never read-only",
    )
    expires_at: AwareMoment | None = Field(
        default=None, description="After this moment the key stops working"
    )


class ApiKeyRead(BaseModel):
    """A key as listed: never its secret, which is shown once, on create and on rotate."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    prefix: str = Field(description="The part of the key after `cnscd_`: tells keys apart in logs and lists")
    unit_id: uuid.UUID
    read_only: bool
    vneid_only: bool = False
    created_at: datetime
    created_by: str
    last_used_at: datetime | None = Field(description="Updated at most once a minute")
    expires_at: datetime | None
    rotated_at: datetime | None
    revoked_at: datetime | None
    version: int
    updated_at: datetime


class ApiKeySecret(ApiKeyRead):
    key: str | None = Field(
        description="The key, `cnscd_<prefix>_<secret>`, to send as `X-API-Key`: shown only now, store it. "
        "`null` when this answer replays an earlier one (`Idempotency-Key`): a key is shown once"
    )


class ApiKeyList(Page[ApiKeyRead]):
    pass
