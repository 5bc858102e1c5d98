import uuid
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission
from app.authz.principal import Principal
from app.authz.scope import in_scope
from app.models import ApiKey, Unit


async def by_prefix(session: AsyncSession, prefix: str) -> tuple[ApiKey, str] | None:
    """The key with this prefix and its unit's path: one indexed lookup per request."""
    row = (
        await session.execute(
            select(ApiKey, Unit.path).join(Unit, Unit.id == ApiKey.unit_id).where(ApiKey.prefix == prefix)
        )
    ).first()
    return (row[0], row[1]) if row else None


async def prefix_taken(session: AsyncSession, prefix: str) -> bool:
    return (await session.scalar(select(ApiKey.id).where(ApiKey.prefix == prefix))) is not None


async def mark_used(session: AsyncSession, key_id: uuid.UUID, now: datetime, every: timedelta) -> None:
    """Set `last_used_at`, unless another request did within `every`: at most one write per period."""
    await session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id, or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - every))
        .values(last_used_at=now)
    )


async def list_keys(
    session: AsyncSession,
    principal: Principal,
    *,
    within: Unit | None,
    revoked: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[ApiKey], int]:
    where = [in_scope(ApiKey.unit_id, principal, within, Permission.api_keys_manage)]
    if revoked is not None:
        where.append(ApiKey.revoked_at.is_not(None) if revoked else ApiKey.revoked_at.is_(None))
    total = await session.scalar(select(func.count()).select_from(ApiKey).where(*where))
    rows = await session.scalars(
        select(ApiKey).where(*where).order_by(ApiKey.created_at.desc(), ApiKey.id).limit(limit).offset(offset)
    )
    return list(rows), total or 0
