"""Password hashing and tokens. python-jose and passlib stay behind this module so they can be swapped."""

import asyncio
import base64
import contextlib
import hashlib
import hmac
import os
import secrets
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from jose import JWTError, jwt
from passlib.context import CryptContext

from app.core.config import ConfigError, get_settings

ALGORITHM = "HS256"


@lru_cache
def _context() -> CryptContext:
    settings = get_settings()
    return CryptContext(
        schemes=["argon2"],
        argon2__memory_cost=settings.argon2_memory_kib,
        argon2__time_cost=settings.argon2_time_cost,
    )


@lru_cache
def _dummy_hash() -> str:
    return _context().hash("not-a-real-password")


async def hash_password(password: str) -> str:
    """Argon2 costs ~150 ms of CPU: run it in a thread so the event loop keeps serving."""
    return await asyncio.to_thread(_context().hash, password)


async def verify_password(password: str, password_hash: str | None) -> bool:
    """Verify against a dummy hash when there is no user, so both cases cost the same."""
    if password_hash is None:
        await asyncio.to_thread(_context().verify, password, _dummy_hash())
        return False
    return await asyncio.to_thread(_context().verify, password, password_hash)


def signing_key() -> str:
    """The key that signs access tokens: SECRET_KEY, or outside production this installation's own."""
    settings = get_settings()
    if settings.secret_key:
        return settings.secret_key
    if settings.environment == "production":
        raise ConfigError("SECRET_KEY is not set: production never uses a generated secret")
    return _installation_secret(settings.secret_key_file)


@lru_cache
def _installation_secret(path: str) -> str:
    """Read the secret kept at `path`, or make it: random, readable by its owner only, published
    atomically (a link), so workers starting together agree on one."""
    file = Path(path)
    with contextlib.suppress(FileNotFoundError):
        if kept := file.read_text(encoding="utf-8").strip():
            return kept
    file.parent.mkdir(parents=True, exist_ok=True)
    draft = file.with_name(f".{file.name}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(draft, file)
    except FileExistsError:
        pass  # another worker published first: theirs is the one
    finally:
        draft.unlink()
    return file.read_text(encoding="utf-8").strip()


def create_access_token(
    subject: str, claims: dict[str, Any], *, issued_at: datetime | None = None
) -> tuple[str, int]:
    settings = get_settings()
    now = issued_at or datetime.now(UTC)
    lifetime = timedelta(minutes=settings.access_token_minutes)
    payload = {**claims, "sub": subject, "iat": now, "exp": now + lifetime, "typ": "access"}
    return jwt.encode(payload, signing_key(), algorithm=ALGORITHM), int(lifetime.total_seconds())


# Access tokens already checked, with their claims: a phone sends the same token on every request for
# its lifetime, and checking the signature was the largest cost of an authenticated request after the
# database. Keyed by the signing key too; the expiry is checked again on every use.
_checked: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
CHECKED_TOKENS = 4096


def decode_access_token(token: str) -> dict[str, Any] | None:
    """The token's claims, or None when it is forged, expired, of another type or lacks `exp`."""
    key = (signing_key(), token)
    claims = _checked.get(key)
    if claims is not None and claims["exp"] > datetime.now(UTC).timestamp():
        _checked.move_to_end(key)
        return claims
    try:
        claims = jwt.decode(
            token,
            signing_key(),
            algorithms=[ALGORITHM],
            options={"require_exp": True, "require_sub": True, "require_iat": True},
        )
    except JWTError:
        _checked.pop(key, None)
        return None
    if claims.get("typ") != "access":
        return None
    _checked[key] = claims
    if len(_checked) > CHECKED_TOKENS:
        _checked.popitem(last=False)
    return claims


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def successor_secret(token: str) -> str:
    """The refresh token that `token` is traded for: derived from it with the server's key, so that a
    retried refresh can answer the same pair again without the server keeping any token in clear."""
    mac = hmac.new(signing_key().encode(), b"refresh-successor:" + token.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def digest(secret: str) -> str:
    """Refresh tokens and API keys are stored as SHA-256 digests: high-entropy, so no slow hash needed."""
    return hashlib.sha256(secret.encode()).hexdigest()
