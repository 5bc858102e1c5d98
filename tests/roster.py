"""Factories for teams, members and trainings (tests/world.py has units, users and households)."""

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from app.models import Member, Team, Training, TrainingAttendance, Unit
from app.models.base import utcnow


async def make_team(session: AsyncSession, unit: Unit, name: str | None = None, **values) -> Team:
    team = Team(unit_id=unit.id, name=name or f"Tổ CNSCĐ {unit.name}", **values)
    session.add(team)
    await session.flush()
    return team


async def make_member(
    session: AsyncSession, team: Team, full_name: str = "Nguyễn Văn Bình", *, deleted: bool = False, **values
) -> Member:
    member = Member(team_id=team.id, unit_id=team.unit_id, full_name=full_name, **values)
    if deleted:
        member.deleted_at = utcnow()
    session.add(member)
    await session.flush()
    return member


async def make_training(
    session: AsyncSession, unit: Unit, title: str = "Tập huấn kỹ năng số", members=(), **values
) -> Training:
    training = Training(
        unit_id=unit.id, title=title, held_on=values.pop("held_on", date(2026, 3, 15)), **values
    )
    session.add(training)
    await session.flush()
    session.add_all(TrainingAttendance(training_id=training.id, member_id=m.id) for m in members)
    await session.flush()
    return training
