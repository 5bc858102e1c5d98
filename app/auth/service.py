"""Sign-in, refresh-token rotation with reuse detection, logout, and the principal behind a token."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import principals
from app.auth.schemas import Grantable, Me, TokenPair
from app.authz.permissions import PERMISSIONS, ROLE_LEVELS
from app.authz.principal import Principal
from app.core import metrics
from app.core.config import get_settings
from app.core.errors import TokenReused, TooManyRequests, Unauthorized
from app.core.ids import uuid7
from app.core.security import (
    create_access_token,
    digest,
    new_secret,
    successor_secret,
    verify_password,
)
from app.core.throttle import throttle
from app.models import RefreshToken, User
from app.users.schemas import RoleGrant

# Failed sign-ins per username and per address: in Redis when REDIS_URL is set, so every worker
# counts the same failures; in this process otherwise.
login_failures = throttle
BAD_LOGIN = "Incorrect username or password"


async def _throttle(keys: list[tuple[str, int]]) -> None:
    window = get_settings().login_window_seconds
    waits = [await login_failures.retry_after(key, limit, window) for key, limit in keys]
    waits = [w for w in waits if w is not None]
    if waits:
        metrics.RATE_LIMITED.labels("login").inc()
        raise TooManyRequests("Too many failed sign-ins: wait and try again", retry_after=max(waits))


async def login(session: AsyncSession, username: str, password: str, address: str) -> TokenPair:
    """A new sign-in. Failures are counted per name and address (the real user's phone is not locked
    out by bad passwords sent from elsewhere), per name (a looser cap, for guesses from many
    addresses) and per address (one address trying many names); any count at its cap refuses."""
    settings = get_settings()
    name = username.strip().lower()
    counted = name[:64]
    keys = [
        (f"login:{counted}@{address}", settings.login_max_failures),
        (f"user:{counted}", settings.login_max_failures_per_name),
        (f"addr:{address}", settings.login_max_failures_per_address),
    ]
    await _throttle(keys)
    # A name no account can have (NUL, too long) is looked up as nobody: same answer, same cost.
    lookup = name if "\x00" not in name and len(name) <= 50 else None
    user = await session.scalar(select(User).where(User.username == lookup)) if lookup else None
    valid = await verify_password(password.replace("\x00", ""), user.password_hash if user else None)
    if not (valid and user and user.is_active):
        for key, _ in keys:
            await login_failures.add(key, settings.login_window_seconds)
        raise Unauthorized(BAD_LOGIN)
    await login_failures.forget(keys[0][0])
    return await _issue(session, user, family_id=uuid7())


async def refresh(session: AsyncSession, token: str) -> TokenPair:
    """The successor pair. A token is spent by its first use; used again within
    `refresh_reuse_seconds` (a phone retrying, two tabs at once) it answers the same successor pair,
    which is derived from it; used again later, it revokes its whole family (a stolen token)."""
    stored = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == digest(token)))
    now = datetime.now(UTC)
    if stored is None or stored.revoked_at is not None or stored.expires_at <= now:
        raise Unauthorized("The refresh token is invalid or expired: sign in again")
    successor = successor_secret(token)
    # Spend it atomically: of two concurrent refreshes with one token, only one wins.
    spent = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == stored.id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
    )
    if spent.rowcount != 1:
        if pair := await _recent_successor(session, stored, successor, now):
            return pair
        await _revoke_family(session, stored)
        raise TokenReused("This refresh token was already used: every session from it is now signed out")
    user = await session.get(User, stored.user_id)
    if user is None or not user.is_active:
        raise Unauthorized("The account is disabled")
    return await _issue(session, user, family_id=stored.family_id, secret=successor, now=now)


async def _recent_successor(
    session: AsyncSession, spent: RefreshToken, secret: str, now: datetime
) -> TokenPair | None:
    """The pair `spent` was traded for, when that was within the reuse interval and the pair is good."""
    used_at = await session.scalar(select(RefreshToken.used_at).where(RefreshToken.id == spent.id))
    if used_at is None or now - used_at > timedelta(seconds=get_settings().refresh_reuse_seconds):
        return None
    successor = await session.scalar(
        select(RefreshToken).where(
            RefreshToken.token_hash == digest(secret),
            RefreshToken.family_id == spent.family_id,
            RefreshToken.revoked_at.is_(None),
            RefreshToken.expires_at > now,
        )
    )
    if successor is None:
        return None
    access, expires_in = access_token(successor.user_id, successor.family_id, issued_at=successor.created_at)
    return TokenPair(access_token=access, refresh_token=secret, expires_in=expires_in)


async def logout(session: AsyncSession, token: str) -> None:
    """End the sign-in: its refresh tokens, and (through the family they carry) its access tokens."""
    stored = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == digest(token)))
    if stored is not None:
        await _revoke_family(session, stored)


async def _revoke_family(session: AsyncSession, token: RefreshToken) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == token.family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
    principals.cache.forget_user(token.user_id)  # other workers follow within auth_cache_seconds


def access_token(
    user_id: uuid.UUID, family_id: uuid.UUID | None = None, *, issued_at: datetime | None = None
) -> tuple[str, int]:
    """A short-lived JWT naming the user and the sign-in (refresh token family) it belongs to. It
    carries no rights: those are read from the database (`app.auth.principals`), so a change to
    them, or the end of the sign-in, applies to tokens already handed out. The same arguments make
    the same token."""
    claims = {"fam": str(family_id)} if family_id else {}
    return create_access_token(str(user_id), claims, issued_at=issued_at)


async def _issue(
    session: AsyncSession,
    user: User,
    *,
    family_id: uuid.UUID,
    secret: str | None = None,
    now: datetime | None = None,
) -> TokenPair:
    """A new access token and a new refresh token (`secret`, else a random one) in the given family."""
    now = now or datetime.now(UTC)
    access, expires_in = access_token(user.id, family_id, issued_at=now)
    secret = secret or new_secret()
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id,
            token_hash=digest(secret),
            created_at=now,
            expires_at=now + timedelta(days=get_settings().refresh_token_days),
        )
    )
    await session.flush()
    return TokenPair(access_token=access, refresh_token=secret, expires_in=expires_in)


async def me(session: AsyncSession, principal: Principal) -> Me:
    if principal.is_api_key:  # an integration checking its key: what it may do, and where
        allowed = {p.value for g in principal.grants for p in PERMISSIONS[g.role]}
        return Me(
            id=principal.id,
            username=principal.name,
            full_name=principal.name,
            phone=None,
            roles=[RoleGrant(role=g.role, unit_id=g.unit_id) for g in principal.grants],
            permissions=sorted(p for p in allowed if not principal.read_only or p.endswith(":read")),
        )
    user = await session.get(User, principal.id)
    if user is None or not user.is_active:
        raise Unauthorized("The account no longer exists or is disabled")
    grants = await principals.grants_of(session, user.id)
    return Me(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        phone=user.phone,
        roles=[RoleGrant(role=g.role, unit_id=g.unit_id) for g in grants],
        permissions=sorted({p.value for g in grants for p in PERMISSIONS[g.role]}),
        grantable=[Grantable(role=r, levels=list(ROLE_LEVELS[r])) for r in principal.grantable()],
    )
