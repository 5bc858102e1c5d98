"""The caller behind an access token, as the database says now: active, with its current grants, in a
session that has not ended (logout, or a refresh token reused, revokes the token's family).

Checked on every request through an in-process cache of `auth_cache_seconds` (a few seconds), so a
demotion, a deactivation or a deletion reaches every worker within that time, and the hottest read
pays a dictionary lookup, not three queries. Refusals are cached too: a revoked token retried in a
loop costs no more than a valid one.
"""

import asyncio
import functools
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Role
from app.authz.principal import Grant, Principal
from app.core.config import get_settings
from app.core.db import reading
from app.core.errors import Unauthorized
from app.core.security import decode_access_token
from app.models import RefreshToken, RoleAssignment, Unit, User

SWEEP_EVERY = 1024  # entries stored between two sweeps of the expired ones

Key = tuple[uuid.UUID, uuid.UUID | None]  # the user, and the sign-in (refresh token family) if any


@dataclass(frozen=True, slots=True)
class _Entry:
    principal: Principal | None  # None: refused
    until: float


class PrincipalCache:
    """Principals by (user, family), each kept `auth_cache_seconds`; `clock` is replaceable in tests."""

    def __init__(self) -> None:
        self._entries: dict[Key, _Entry] = {}
        self._stored = 0
        self.clock = time.monotonic

    def get(self, key: Key) -> _Entry | None:
        entry = self._entries.get(key)
        return entry if entry is not None and entry.until > self.clock() else None

    def put(self, key: Key, principal: Principal | None) -> None:
        now = self.clock()
        self._entries[key] = _Entry(principal, now + get_settings().auth_cache_seconds)
        self._stored += 1
        if self._stored % SWEEP_EVERY == 0:
            self._entries = {k: e for k, e in self._entries.items() if e.until > now}

    def forget_user(self, user_id: uuid.UUID) -> None:
        """Drop every entry of the user: a change made by this worker applies here at once."""
        for key in [k for k in self._entries if k[0] == user_id]:
            del self._entries[key]

    def clear(self) -> None:
        self._entries.clear()


cache = PrincipalCache()


async def grants_of(session: AsyncSession, user_id: uuid.UUID) -> list[Grant]:
    rows = await session.execute(
        select(RoleAssignment.role, RoleAssignment.unit_id, Unit.path)
        .outerjoin(Unit, Unit.id == RoleAssignment.unit_id)
        .where(RoleAssignment.user_id == user_id)
    )
    return [Grant(Role(r.role), r.unit_id, r.path or "") for r in rows]


async def load(session: AsyncSession, user_id: uuid.UUID, family_id: uuid.UUID | None) -> Principal | None:
    """The principal, or None when the user is gone or inactive, or the sign-in was ended."""
    revoked = (
        exists().where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_not(None))
        if family_id is not None
        else None
    )
    columns = [User.username, User.is_active] + ([revoked.label("revoked")] if revoked is not None else [])
    row = (await session.execute(select(*columns).where(User.id == user_id))).first()
    if row is None or not row.is_active or (revoked is not None and row.revoked):
        return None
    grants = await grants_of(session, user_id)
    return Principal(id=user_id, name=row.username, grants=tuple(grants))


async def principal_from_token(token: str) -> Principal:
    """The caller behind a bearer token: a valid signature is not enough, the user and the sign-in
    must still be good (checked at most `auth_cache_seconds` ago)."""
    claims = decode_access_token(token)
    if claims is None:
        raise Unauthorized("The access token is invalid or expired")
    try:
        family = claims.get("fam")
        key = (uuid.UUID(claims["sub"]), uuid.UUID(family) if family is not None else None)
    except (KeyError, ValueError, TypeError, AttributeError):
        raise Unauthorized("The access token is malformed") from None
    entry = cache.get(key)
    principal = entry.principal if entry is not None else await _loaded_once(key)
    if principal is None:
        raise Unauthorized("The session has ended or the account is disabled: sign in again")
    return principal


_loading: dict[Key, asyncio.Task] = {}


async def _loaded_once(key: Key) -> Principal | None:
    """The principal loaded and cached, once for all the requests that miss the cache together (a
    page's requests, an integration's concurrent ones, as the entry expires): not one load each."""
    task = _loading.get(key)
    if task is None:
        task = _loading[key] = asyncio.ensure_future(_load_into_cache(key))
        task.add_done_callback(functools.partial(_loaded, key))
    return await asyncio.shield(task)  # a request cancelled while waiting leaves the load to the others


async def _load_into_cache(key: Key) -> Principal | None:
    async with reading() as session:
        principal = await load(session, *key)
    cache.put(key, principal)
    return principal


def _loaded(key: Key, task: asyncio.Task) -> None:
    del _loading[key]
    if not task.cancelled():
        task.exception()  # seen even when every waiter was cancelled: no "exception never retrieved"
