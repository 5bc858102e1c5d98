"""The records layer's create with a client id, on both databases: the body's unit, read with the
replay check, goes into the session as the ORM would put it there."""

import uuid
from datetime import UTC, datetime

from app import records
from app.activities.schemas import ActivityCreate
from app.activities.service import ACTIVITIES
from app.authz.permissions import Role
from app.authz.principal import Grant, Principal
from app.models import Unit


def _activity(unit: Unit) -> ActivityCreate:
    return ActivityCreate(
        id=uuid.uuid4(),
        unit_id=unit.id,
        occurred_at=datetime.now(UTC),
        kind="vneid_activation",
        people_count=1,
    )


async def test_a_unit_already_in_the_session_is_the_one_the_create_uses(session, world):
    admin = Principal(world.users[Role.admin].id, "admin", (Grant(Role.admin, None, ""),))
    village = world.v11  # built in this session: its identity map holds it
    for _ in range(2):
        record, created = await records.create(session, admin, ACTIVITIES, _activity(village))
        assert created and record.unit_id == village.id
    assert await session.get(Unit, village.id) is village


async def test_a_unit_read_with_the_replay_check_is_persistent_in_the_session(session, world):
    admin = Principal(world.users[Role.admin].id, "admin", (Grant(Role.admin, None, ""),))
    village_id, path = world.v12.id, world.v12.path
    session.expunge_all()
    record, created = await records.create(session, admin, ACTIVITIES, _activity(world.v12))
    assert created and record.unit_id == village_id
    held = await session.get(Unit, village_id)  # from the identity map: no second read
    assert held is not world.v12 and held.path == path and held.level == "village"
    assert held in session and not session.is_modified(held)
