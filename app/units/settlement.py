"""Whether a village is urban (tổ dân phố, khu phố) or rural (thôn, ấp, bản): plan 004 sets targets for
the urban population (more than half of urban adults paying electronically) and asks to close the gap
between town and countryside, so results can be split that way. Only villages carry it: a commune holds
both kinds. It is an attribute, not a rename: set as it is, without history."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.writer import record, snapshot
from app.authz.principal import Principal
from app.core.errors import Invalid
from app.models import Unit
from app.models.unit import Settlement, UnitLevel
from app.units.schemas import UnitRead, UnitUpdate


def check(level: str, settlement: Settlement | None) -> None:
    """422 when a unit other than a village would be marked urban or rural."""
    if settlement is not None and level != UnitLevel.village:
        raise Invalid(
            f"Only a village is urban or rural, not a {level}",
            loc=["body", "settlement"],
            code="unit.settlement_not_village",
        )


async def settle(session: AsyncSession, principal: Principal, unit: Unit, data: UnitUpdate) -> None:
    """Set the village's settlement when the update names one (null clears it), audited."""
    if "settlement" not in data.model_fields_set or data.settlement == unit.settlement:
        return
    check(unit.level, data.settlement)
    before = snapshot(UnitRead.model_validate(unit))
    unit.settlement = data.settlement
    unit.touch()
    await session.flush()
    after = snapshot(UnitRead.model_validate(unit))
    await record(session, principal, "update", "unit", unit.id, unit_id=unit.id, before=before, after=after)
