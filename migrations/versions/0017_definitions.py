"""Definitions as the plans give them: has_digital_member reconciled with the counts

`has_digital_member` is seed 000's "at least one member with digital skills, a VNeID account and a DVC
account"; the API now refuses it where no adult has skills, none VNeID or none a DVC account
(`household.digital_member_impossible`). Rows stored before the rule are reconciled here: the flag is
cleared on every such household (its version and updated_at move on, so phones resync it, and an audit
row per household says what changed and why), on every such observation of the households' history,
and the monthly `households_digital` aggregates lose what those observations counted (the villages'
rows, and a delta each for their owners' roll-ups), so the aggregates equal a recount. The migration
prints how many rows it changed.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 00:00:00
"""

import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger("alembic.runtime.migration")
ACTOR = "migration 0017"
BATCH = 5000
HOUSEHOLD_COUNTERS = (
    "households", "people", "adults", "adults_smartphone", "adults_digital_skills", "adults_vneid",
    "adults_dvc", "adults_epay", "adults_signature", "households_informed", "households_digital",
    "business_households", "business_cashless", "households_need_assistance", "households_assisted",
    "households_skilled",
)  # fmt: skip
JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

households = sa.table(
    "households",
    sa.column("id", sa.Uuid()),
    sa.column("unit_id", sa.Uuid()),
    sa.column("version", sa.Integer()),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("has_digital_member", sa.Boolean()),
    sa.column("adults_digital_skills", sa.Integer()),
    sa.column("adults_vneid", sa.Integer()),
    sa.column("adults_dvc", sa.Integer()),
)
observations = sa.table(
    "household_observations",
    sa.column("unit_id", sa.Uuid()),
    sa.column("month_from", sa.Date()),
    sa.column("month_to", sa.Date()),
    *(sa.column(name, sa.Integer()) for name in HOUSEHOLD_COUNTERS),
)
stats = sa.table(
    "household_stats",
    sa.column("unit_id", sa.Uuid()),
    sa.column("month", sa.Date()),
    *(sa.column(name, sa.Integer()) for name in HOUSEHOLD_COUNTERS),
)
deltas = sa.table(
    "household_deltas",
    sa.column("unit_id", sa.Uuid()),
    sa.column("month", sa.Date()),
    *(sa.column(name, sa.Integer()) for name in HOUSEHOLD_COUNTERS),
)
units = sa.table("units", sa.column("id", sa.Uuid()), sa.column("parent_id", sa.Uuid()), sa.column("level"))
audit = sa.table(
    "audit_log",
    sa.column("id", sa.Uuid()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor_id", sa.Uuid()),
    sa.column("actor_name", sa.String()),
    sa.column("action", sa.String()),
    sa.column("resource", sa.String()),
    sa.column("resource_id", sa.String()),
    sa.column("unit_id", sa.Uuid()),
    sa.column("before", JSON),
    sa.column("after", JSON),
)


def _impossible(t) -> sa.ColumnElement[bool]:
    """No adult with skills, none with VNeID or none with a DVC account: no digital member."""
    counts = (t.c.adults_digital_skills == 0) | (t.c.adults_vneid == 0) | (t.c.adults_dvc == 0)
    flag = t.c.has_digital_member if t is households else t.c.households_digital == 1
    return flag & counts


def reconcile(connection: Connection, now: datetime | None = None) -> dict[str, int]:
    """Clear the impossible flags (households, observations) and take them out of the aggregates;
    returns how many rows of each changed."""
    now = now or datetime.now(UTC)
    changed = 0
    while batch := connection.execute(
        sa.select(households.c.id, households.c.unit_id, households.c.version)
        .where(_impossible(households))
        .limit(BATCH)
    ).all():
        connection.execute(
            households.update()
            .where(households.c.id.in_([row.id for row in batch]))
            .values(has_digital_member=False, version=households.c.version + 1, updated_at=now)
        )
        connection.execute(
            audit.insert(),
            [
                {
                    "id": uuid.uuid4(),
                    "at": now,
                    "actor_id": None,
                    "actor_name": ACTOR,
                    "action": "update",
                    "resource": "household",
                    "resource_id": str(row.id),
                    "unit_id": row.unit_id,
                    "before": {"has_digital_member": True, "version": row.version},
                    "after": {"has_digital_member": False, "version": row.version + 1},
                }
                for row in batch
            ],
        )
        changed += len(batch)

    # The history: each impossible observation counted 1 from its month and -1 from its end's month.
    months: dict[tuple, int] = defaultdict(int)
    for column, sign in ((observations.c.month_from, -1), (observations.c.month_to, 1)):
        for unit_id, month, n in connection.execute(
            sa.select(observations.c.unit_id, column, sa.func.count())
            .where(_impossible(observations), column.is_not(None))
            .group_by(observations.c.unit_id, column)
        ):
            months[(unit_id, month)] += sign * n
    observed = connection.execute(
        observations.update().where(_impossible(observations)).values(households_digital=0)
    ).rowcount
    months = {key: n for key, n in months.items() if n}
    owners = _owners(connection, {unit_id for unit_id, _ in months})
    for (unit_id, month), n in months.items():
        where = (stats.c.unit_id == unit_id) & (stats.c.month == month)
        added = stats.update().where(where).values(households_digital=stats.c.households_digital + n)
        if not connection.execute(added).rowcount:
            zero = dict.fromkeys(HOUSEHOLD_COUNTERS, 0)
            connection.execute(
                stats.insert().values(zero | {"unit_id": unit_id, "month": month, "households_digital": n})
            )
        connection.execute(
            deltas.insert().values(
                dict.fromkeys(HOUSEHOLD_COUNTERS, 0)
                | {"unit_id": owners[unit_id], "month": month, "households_digital": n}
            )
        )
    return {"households": changed, "observations": observed, "aggregates": len(months)}


def _owners(connection: Connection, unit_ids: set) -> dict:
    """The unit each unit's rows roll up to: a village's parent, any other unit itself."""
    owners = {}
    for start in range(0, len(unit_ids), BATCH):
        chunk = list(unit_ids)[start : start + BATCH]
        for row in connection.execute(
            sa.select(units.c.id, units.c.parent_id, units.c.level).where(units.c.id.in_(chunk))
        ):
            owners[row.id] = row.parent_id if row.level == "village" and row.parent_id else row.id
    return owners


def upgrade() -> None:
    counts = reconcile(op.get_bind())
    message = (
        f"0017: has_digital_member cleared on {counts['households']} households whose counts make it "
        f"impossible (no adult with digital skills, VNeID or a DVC account; an audit row each, actor "
        f"{ACTOR!r}), on {counts['observations']} observations of their history; households_digital "
        f"corrected in {counts['aggregates']} monthly village aggregates and their roll-ups."
    )
    logger.info(message)
    print(message)


def downgrade() -> None:
    pass  # a flag the counts contradict is not put back; the audit rows say which households changed
