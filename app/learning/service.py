"""Learning materials: the guides a commune or a province publishes to its teams (plans 000 and 004).

Published at a commune or a province (learning:manage there: its officers), read by everyone in that
area and from the units below it (a village's member reads its commune's and its province's guides;
viewers too). Synced like the field's records: a delete leaves a tombstone in the change feed, so a
phone that kept a guide learns it was withdrawn."""

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.authz.permissions import Permission as P
from app.learning.schemas import MaterialRead
from app.models import LearningMaterial, Unit
from app.records import Permissions, Resource

ORDER = [LearningMaterial.created_at.desc(), LearningMaterial.id.desc()]
FILTERS = ("kind", "topic")


class Materials(Resource):
    name, label, model, read = "learning_material", "Learning material", LearningMaterial, MaterialRead
    permissions = Permissions(P.learning_read, P.learning_manage)
    levels = ("province", "commune")
    required = ("unit_id", "kind", "title", "url")
    from_below = True  # a commune's guide is each of its villages' too
    audit_exclude = frozenset({"unit_name"})

    async def present(self, session: AsyncSession, rows: Sequence[Any]) -> list[BaseModel]:
        """With the name of the unit that published each one (read in one query)."""
        ids = {row.unit_id for row in rows}
        names = dict((await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))).all())
        return [
            MaterialRead.model_validate(row, from_attributes=True).model_copy(
                update={"unit_name": names.get(row.unit_id, "")}
            )
            for row in rows
        ]


MATERIALS = Materials()


def list_filters(filters: dict[str, Any]) -> list:
    return [getattr(LearningMaterial, name) == value for name, value in filters.items() if value is not None]
