"""API keys for third-party systems: the `integration` role at one unit, read-only or read-write.

A key is `cnscd_<prefix>_<secret>`. Only its SHA-256 digest is stored (high-entropy, like refresh
tokens); the prefix finds the row in one indexed lookup. The key is shown once, on create and on
rotate. Revoking keeps the row, so the audit trail still names the key behind each write.
"""

import hmac
import re
import secrets
import uuid
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.api_keys import repository
from app.api_keys.schemas import ApiKeyCreate, ApiKeyList, ApiKeyRead, ApiKeySecret
from app.audit.writer import record, snapshot
from app.authz.permissions import VNEID_KEY, Permission, Role
from app.authz.principal import Grant, Principal
from app.authz.scope import list_scope, require, unit_in_body
from app.core.errors import Conflict, Invalid, Unauthorized
from app.core.security import digest, new_secret
from app.core.versioning import check_version
from app.models import ApiKey
from app.models.base import utcnow
from app.records import Permissions, Resource, ensure_open, fetch


class ApiKeys(Resource):
    """Keys are not synced records; described here so that reading one goes through app.records."""

    name, label, model, read = "api_key", "API key", ApiKey, ApiKeyRead
    permissions = Permissions(Permission.api_keys_manage, Permission.api_keys_manage)
    tombstones = False


API_KEYS = ApiKeys()
SCHEME = "cnscd"
_FORMAT = re.compile(rf"^{SCHEME}_([0-9a-f]{{12}})_[A-Za-z0-9_-]{{20,100}}$")
# `last_used_at` is written at most this often per key, so reads stay reads.
USE_RESOLUTION = timedelta(minutes=1)
BAD_KEY = "The API key is invalid, expired or revoked"


def actor_name(key_name: str) -> str:
    """How a key appears in the audit log (`actor_name`, 100 characters at most)."""
    return f"api-key:{key_name}"[:100]


async def authenticate(session: AsyncSession, raw_key: str) -> Principal:
    """The principal behind an `X-API-Key`: the integration role at the key's unit, nothing more."""
    match = _FORMAT.match(raw_key.strip())
    found = await repository.by_prefix(session, match.group(1)) if match else None
    now = utcnow()
    if (
        found is None
        or not hmac.compare_digest(found[0].key_hash, digest(raw_key.strip()))
        or found[0].revoked_at is not None
        or (found[0].expires_at is not None and found[0].expires_at <= now)
    ):
        raise Unauthorized(BAD_KEY)
    key, path = found
    if key.last_used_at is None or now - key.last_used_at >= USE_RESOLUTION:
        await repository.mark_used(session, key.id, now, USE_RESOLUTION)
    return Principal(
        id=key.id,
        name=actor_name(key.name),
        grants=(Grant(Role.integration, key.unit_id, path),),
        is_api_key=True,
        read_only=key.read_only and not key.vneid_only,
        only=VNEID_KEY if key.vneid_only else None,
    )


async def list_keys(
    session: AsyncSession,
    principal: Principal,
    *,
    unit_id: uuid.UUID | None,
    revoked: bool | None,
    limit: int,
    offset: int,
) -> ApiKeyList:
    within = await list_scope(session, principal, Permission.api_keys_manage, unit_id)
    keys, total = await repository.list_keys(
        session, principal, within=within, revoked=revoked, limit=limit, offset=offset
    )
    return ApiKeyList(
        items=[ApiKeyRead.model_validate(k) for k in keys], total=total, limit=limit, offset=offset
    )


async def get_key(session: AsyncSession, principal: Principal, key_id: uuid.UUID) -> ApiKey:
    key, _ = await fetch(session, principal, API_KEYS, key_id, Permission.api_keys_manage)
    return key


async def create_key(session: AsyncSession, principal: Principal, data: ApiKeyCreate) -> ApiKeySecret:
    unit = await unit_in_body(session, principal, data.unit_id)
    require(principal, Permission.api_keys_manage, unit)
    await ensure_open(session, unit)  # a merged unit's keys act at its successor: 409 naming it
    if data.expires_at is not None and data.expires_at <= utcnow():
        raise Invalid("expires_at must be in the future", loc=["body", "expires_at"])
    prefix, raw = await _new_key(session)
    key = ApiKey(
        name=data.name,
        unit_id=unit.id,
        read_only=data.read_only and not data.vneid_only,
        vneid_only=data.vneid_only,
        expires_at=data.expires_at,
        prefix=prefix,
        key_hash=digest(raw),
        created_by=principal.name,
    )
    session.add(key)
    await session.flush()
    read = ApiKeyRead.model_validate(key)
    await record(session, principal, "create", "api_key", key.id, unit_id=key.unit_id, after=snapshot(read))
    return ApiKeySecret(**read.model_dump(), key=raw)


async def rotate_key(
    session: AsyncSession, principal: Principal, key_id: uuid.UUID, if_match: int | None
) -> ApiKeySecret:
    """A new secret (and prefix) for the key; the old one stops working at once."""
    key, _ = await fetch(session, principal, API_KEYS, key_id, Permission.api_keys_manage, lock=True)
    check_version(key, if_match)
    if key.revoked_at is not None:
        raise Conflict("A revoked key cannot be rotated: create a new one")
    before = snapshot(ApiKeyRead.model_validate(key))
    key.prefix, raw = await _new_key(session)
    key.key_hash = digest(raw)
    key.touch()
    key.rotated_at = key.updated_at
    await session.flush()
    read = ApiKeyRead.model_validate(key)
    await record(
        session,
        principal,
        "rotate",
        "api_key",
        key.id,
        unit_id=key.unit_id,
        before=before,
        after=snapshot(read),
    )
    return ApiKeySecret(**read.model_dump(), key=raw)


async def revoke_key(
    session: AsyncSession, principal: Principal, key_id: uuid.UUID, if_match: int | None
) -> None:
    """The key stops working; its row stays for the audit trail. Revoking again changes nothing."""
    key, _ = await fetch(session, principal, API_KEYS, key_id, Permission.api_keys_manage, lock=True)
    check_version(key, if_match)
    if key.revoked_at is not None:
        return
    before = snapshot(ApiKeyRead.model_validate(key))
    key.touch()
    key.revoked_at = key.updated_at
    await session.flush()
    after = snapshot(ApiKeyRead.model_validate(key))
    await record(
        session, principal, "revoke", "api_key", key.id, unit_id=key.unit_id, before=before, after=after
    )


async def _new_key(session: AsyncSession) -> tuple[str, str]:
    """A fresh prefix (unique: 48 random bits, checked) and the full key."""
    while await repository.prefix_taken(session, prefix := secrets.token_hex(6)):
        pass  # pragma: no cover - one chance in 2^48 per existing key
    return prefix, f"{SCHEME}_{prefix}_{new_secret()}"


__all__ = ["authenticate", "create_key", "get_key", "list_keys", "revoke_key", "rotate_key"]
