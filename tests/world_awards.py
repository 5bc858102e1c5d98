"""Factories for the awards of people: proposals and initiatives (issue 20, item 5)."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Award, Member, Unit
from app.models.award import AwardNomination, Initiative


async def make_nomination(session: AsyncSession, award: Award, member: Member, **values) -> AwardNomination:
    """A member proposed for the award by the team leader, not yet reviewed."""
    nomination = AwardNomination(
        award_id=award.id,
        unit_id=member.unit_id,
        kind="member",
        member_id=member.id,
        name=member.full_name,
        reason="Hỗ trợ người dân kích hoạt VNeID",
        proposed_by="team.leader",
        **values,
    )
    session.add(nomination)
    await session.flush()
    return nomination


async def make_initiative(session: AsyncSession, unit: Unit, title: str, **values) -> Initiative:
    initiative = Initiative(unit_id=unit.id, title=title, description="Cách làm hay ở thôn", **values)
    session.add(initiative)
    await session.flush()
    return initiative
