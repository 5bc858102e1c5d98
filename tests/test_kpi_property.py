"""Property: after any sequence of writes through the services, the maintained aggregates equal a
from-scratch count, and the KPI roll-up equals a full scan (hypothesis, on both databases)."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app import records
from app.activities.schemas import ActivityCreate, ActivityUpdate
from app.activities.service import ACTIVITIES
from app.authz.permissions import Role
from app.authz.principal import Grant, Principal
from app.core.db import db
from app.households.schemas import HouseholdCreate, HouseholdUpdate
from app.households.service import HOUSEHOLDS
from app.kpi import aggregates, engine, rollups
from app.kpi.periods import Period, local_today, parse_period, previous_month, window
from app.members.schemas import MemberCreate, MemberUpdate
from app.members.service import MEMBERS
from app.models.kpi import ACTIVITY_COUNTERS, HOUSEHOLD_COUNTERS, ActivityStats, HouseholdStats, MemberStats
from app.teams.schemas import TeamCreate, TeamUpdate
from app.teams.service import TEAMS
from app.trainings.schemas import TrainingCreate
from app.trainings.service import TRAININGS

VILLAGES = ("v11", "v12", "v21")


@st.composite
def facts(draw):
    members = draw(st.integers(1, 8))
    adults = draw(st.integers(0, members))
    counts = {
        name: draw(st.integers(0, adults))
        for name in (
            "adults_smartphone",
            "adults_digital_skills",
            "adults_vneid",
            "adults_dvc",
            "adults_epay",
            "adults_signature",
        )
    }
    business = draw(st.booleans())
    return {
        "members_count": members,
        "adults_count": adults,
        **counts,
        "informed": draw(st.booleans()),
        # seed 000: only where an adult has skills, one VNeID and one a DVC account (the rule refuses it else)
        "has_digital_member": draw(st.booleans())
        and all(counts[c] for c in ("adults_digital_skills", "adults_vneid", "adults_dvc")),
        "is_business": business,
        "business_cashless": business and draw(st.booleans()),
        "needs_assistance": draw(st.booleans()),
    }


moments = st.datetimes(
    datetime(2025, 12, 1), datetime(2026, 11, 1), timezones=st.just(UTC)
)  # not in the future
# When a household's facts were seen: now (None), or any time in the past ten months, in any order.
observed = st.none() | st.builds(lambda days: datetime.now(UTC) - timedelta(days=days), st.floats(0.01, 300))
operations = st.lists(
    st.one_of(
        st.tuples(st.just("household"), st.sampled_from(VILLAGES), facts(), observed),
        st.tuples(st.just("household_facts"), st.integers(0, 99), facts(), observed),
        st.tuples(st.just("household_move"), st.integers(0, 99), st.sampled_from(VILLAGES)),
        st.tuples(st.just("household_assign"), st.integers(0, 99), st.integers(0, 99)),
        st.tuples(st.just("household_delete"), st.integers(0, 99)),
        st.tuples(
            st.just("activity"),
            st.sampled_from((*VILLAGES, "c1")),
            moments,
            st.sampled_from(("digital_signature", "online_dossier", "vneid_activation")),
            st.integers(1, 9),
            st.integers(0, 3),
        ),
        st.tuples(st.just("activity_change"), st.integers(0, 99), moments, st.integers(1, 9)),
        st.tuples(st.just("activity_delete"), st.integers(0, 99)),
        st.tuples(st.just("member"), st.integers(0, 1)),
        st.tuples(st.just("member_leave"), st.integers(0, 99)),
        st.tuples(st.just("member_delete"), st.integers(0, 99)),
        st.tuples(st.just("training"), st.integers(2025, 2026), st.lists(st.integers(0, 99), max_size=4)),
        st.tuples(st.just("team_status"), st.integers(0, 1), st.sampled_from(("active", "inactive"))),
    ),
    max_size=25,
)


def pick(items, index):
    return items[index % len(items)] if items else None


async def apply(session, principal, world, ops, state):
    for op, *args in ops:
        if op == "household":
            village, values, at = args
            record, _ = await records.create(
                session,
                principal,
                HOUSEHOLDS,
                HouseholdCreate(
                    unit_id=world.units[village].id, head_name="Hộ thử", observed_at=at, **values
                ),
            )
            state["households"].append(record.id)
        elif op in ("household_facts", "household_move", "household_assign", "household_delete"):
            target = pick(state["households"], args[0])
            if target is None:
                continue
            if op == "household_facts":
                change = HouseholdUpdate(**args[1], observed_at=args[2])
                await records.update(session, principal, HOUSEHOLDS, target, change, None)
            elif op == "household_move":
                change = HouseholdUpdate(unit_id=world.units[args[1]].id, assigned_member_id=None)
                await records.update(session, principal, HOUSEHOLDS, target, change, None)
            elif op == "household_assign":
                record = await records.get(session, principal, HOUSEHOLDS, target)
                member = pick(state["members_of"].get(record.unit_id, []), args[1])
                change = HouseholdUpdate(needs_assistance=True, assigned_member_id=member)
                await records.update(session, principal, HOUSEHOLDS, target, change, None)
            else:
                await records.delete(session, principal, HOUSEHOLDS, target, None)
                state["households"].remove(target)
        elif op == "activity":
            unit, moment, kind, people, dossiers = args
            record, _ = await records.create(
                session,
                principal,
                ACTIVITIES,
                ActivityCreate(
                    unit_id=world.units[unit].id,
                    occurred_at=moment,
                    kind=kind,
                    people_count=people,
                    dossier_count=dossiers,
                ),
            )
            state["activities"].append(record.id)
        elif op in ("activity_change", "activity_delete"):
            target = pick(state["activities"], args[0])
            if target is None:
                continue
            if op == "activity_change":
                change = ActivityUpdate(occurred_at=args[1], people_count=args[2])
                await records.update(session, principal, ACTIVITIES, target, change, None)
            else:
                await records.delete(session, principal, ACTIVITIES, target, None)
                state["activities"].remove(target)
        elif op == "member":
            team = state["teams"][args[0]]
            record, _ = await records.create(
                session, principal, MEMBERS, MemberCreate(team_id=team.id, full_name="TV")
            )
            state["members"].append(record.id)
            state["members_of"].setdefault(record.unit_id, []).append(record.id)
        elif op in ("member_leave", "member_delete"):
            target = pick(state["members"], args[0])
            if target is None:
                continue
            if op == "member_leave":
                change = MemberUpdate(left_on=date(2020, 1, 1))
                await records.update(session, principal, MEMBERS, target, change, None)
            else:
                await records.delete(session, principal, MEMBERS, target, None)
            state["members"].remove(target)
            for listed in state["members_of"].values():
                if target in listed:
                    listed.remove(target)
        elif op == "training":
            year, picks = args
            attendees = {pick(state["members"], i) for i in picks} - {None}
            body = TrainingCreate(
                unit_id=world.c1.id, title="Tập huấn", held_on=date(year, 5, 1), member_ids=list(attendees)
            )
            await records.create(session, principal, TRAININGS, body)
        elif op == "team_status":
            team = state["teams"][args[0]]
            await records.update(session, principal, TEAMS, team.id, TeamUpdate(status=args[1]), None)


def nonzero(rows):
    return {key: values for key, values in rows.items() if any(values)}


async def assert_consistent(session, world):
    stats = {
        (r.unit_id, r.month): tuple(getattr(r, c) for c in HOUSEHOLD_COUNTERS)
        for r in await session.scalars(select(HouseholdStats))
    }
    assert nonzero(stats) == nonzero(await aggregates.count_households(session))
    stats = {
        (r.unit_id, r.month): tuple(getattr(r, c) for c in ACTIVITY_COUNTERS)
        for r in await session.scalars(select(ActivityStats))
    }
    assert nonzero(stats) == nonzero(await aggregates.count_activities(session))
    stats = {
        (r.unit_id, r.year, r.month): r.members
        for r in await session.scalars(select(MemberStats))
        if r.members
    }
    assert stats == {k: v for k, v in (await aggregates.count_members(session)).items() if v}
    for unit in (world.p, world.c1, world.v11):
        today = local_today()
        last_month = previous_month(today).start
        spans = [window(last_month.replace(day=5), last_month.replace(day=20))]  # inside a month
        for code in ("2026-03", "2026-Q2", "2026", previous_month(today).code, f"{today:%Y-%m}", *spans):
            period = code if isinstance(code, Period) else parse_period(code)
            maintained = (await engine.sums(session, unit, period)).get(None, {})
            assert {k: v for k, v in maintained.items() if v} == {
                k: v for k, v in (await engine.naive_sums(session, unit, period)).items() if v
            }, (unit.name, code)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
async def test_maintained_aggregates_equal_a_recount(world, connection, ops):
    principal = Principal(world.users[Role.admin].id, "admin", (Grant(Role.admin, None, ""),))
    async with db.sessions() as session:  # a savepoint: rolled back after each example
        team_v11, _ = await records.create(
            session, principal, TEAMS, TeamCreate(unit_id=world.v11.id, name="Tổ thôn")
        )
        team_c1, _ = await records.create(
            session, principal, TEAMS, TeamCreate(unit_id=world.c1.id, name="Tổ xã")
        )
        state = {
            "households": [],
            "activities": [],
            "members": [],
            "members_of": {},
            "teams": [team_v11, team_c1],
        }
        try:
            await apply(session, principal, world, ops, state)
            await session.flush()
            await assert_consistent(session, world)  # the province's roll-ups with deltas unfolded
            await rollups.fold(session)
            await assert_consistent(session, world)  # and folded
            await aggregates.rebuild(session)  # and the rebuild agrees with itself
            await assert_consistent(session, world)
        finally:
            await session.rollback()
