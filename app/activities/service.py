"""Activities: one act of help. The hottest write of the field (bursts on campaign days), so every
reference is one primary-key lookup, and whether it covers the activity's unit is read off the unit's
materialized path."""

from typing import Any

from pydantic import BaseModel

from app.activities.schemas import GROUPS, ActivityKind, ActivityRead
from app.authz.permissions import Permission as P
from app.authz.scope import holds
from app.core.errors import Invalid, Problem
from app.kpi import aggregates
from app.models import Activity, Campaign, CampaignEvent, Household, Member
from app.records import Permissions, Resource, Write

FILTERS = ("kind", "campaign_id", "event_id", "household_id", "member_id", "channel")
ORDER = [Activity.occurred_at.desc(), Activity.id.desc()]


class Activities(Resource):
    name, label, model, read = "activity", "Activity", Activity, ActivityRead
    dated_by = "occurred_at"  # a closed unit takes it only when dated by its close
    deferred = True  # no children, and `written` only returns the aggregates' writes
    permissions = Permissions(P.activities_read, P.activities_manage, create_with=P.activities_record)
    required = ("unit_id", "occurred_at", "kind", "people_count", "dossier_count", *GROUPS, "reach_count")

    def replay_ignore(self, data: BaseModel) -> set[str]:
        # With only an event sent, the stored campaign_id comes from the event.
        return {"campaign_id"} if data.event_id is not None and data.campaign_id is None else set()

    async def rules(self, w: Write) -> dict[str, Any]:
        """The references agree with the activity's unit (DOMAIN.md, "Activity"), checked for those that
        are new or whose unit moved: a household deleted since does not block an edit of the note. With
        only the event given, the campaign is the event's."""
        values, changed = w.values, w.changed
        extra: dict[str, Any] = {} if w.obj is not None else {"recorded_by": w.principal.user_id}
        moved = "unit_id" in changed

        def checked(field: str) -> bool:
            return values.get(field) is not None and (moved or field in changed)

        async def found(model, field: str):
            row = await w.session.get(model, values[field])
            return None if row is None or getattr(row, "deleted_at", None) is not None else row

        problems = who_and_how(values)
        if checked("household_id") and (
            (h := await found(Household, "household_id")) is None or h.unit_id != w.unit.id
        ):
            problems.append(_elsewhere("household_id"))
        campaign_id = values.get("campaign_id")
        # The campaign follows the event when none is given, or when an update moves only the event.
        follow = campaign_id is None or ("event_id" in changed and "campaign_id" not in w.changes)
        settled = False  # the campaign was checked through the event, which lies within it
        if checked("event_id") or (values.get("event_id") is not None and "campaign_id" in changed):
            if (event := await found(CampaignEvent, "event_id")) is None or not holds(
                event.unit_id, w.unit.path
            ):
                problems.append(_elsewhere("event_id"))
            elif follow:
                settled, extra["campaign_id"] = True, event.campaign_id
            elif event.campaign_id != campaign_id:
                settled = True
                problems.append(
                    Problem(
                        "campaign_id",
                        "the event belongs to another campaign",
                        "activity.event_of_other_campaign",
                    )
                )
            else:
                settled = True
        for field, model in (("campaign_id", Campaign), ("member_id", Member)):
            if field == "campaign_id" and settled or not checked(field):
                continue
            if (row := await found(model, field)) is None or not holds(row.unit_id, w.unit.path):
                problems.append(_elsewhere(field))
        if problems:
            raise Invalid.fields(problems)
        return extra

    async def written(self, w: Write, before: Any, after: Any) -> list:
        return aggregates.activity_writes(w.session, before, after)


ACTIVITIES = Activities()


def who_and_how(values: dict[str, Any]) -> list[Problem]:
    """Who was helped is counted among the people helped (each group at most `people_count`); only a
    communication has a channel and a reach."""
    problems, people = [], values.get("people_count") or 0
    for group in GROUPS:
        if (values.get(group) or 0) > people:
            msg = f"{group} ({values[group]}) cannot exceed people_count ({people})"
            problems.append(Problem(group, msg, "activity.group_exceeds_people"))
    if values.get("kind") != ActivityKind.communication:
        for field in ("channel", "reach_count"):
            if values.get(field):
                msg = f"only a communication (kind communication) has a {field.removesuffix('_count')}"
                problems.append(Problem(field, msg, "activity.not_communication"))
    return problems


_WHERE = {
    "household_id": "the household must be a household of the activity's unit",
    "event_id": "the event must take place in the activity's unit or one above it",
    "campaign_id": "the campaign must be one of the activity's unit or above it",
    "member_id": "the member must be in a team of the activity's unit or above it",
}


def _elsewhere(field: str) -> Problem:
    """A reference that does not agree with the activity's unit."""
    return Problem(field, _WHERE[field], f"activity.{field.removesuffix('_id')}_elsewhere")


def list_filters(filters: dict[str, Any], occurred_from, occurred_to) -> list:
    conditions = [getattr(Activity, name) == value for name, value in filters.items() if value is not None]
    if occurred_from is not None:
        conditions.append(Activity.occurred_at >= occurred_from)
    if occurred_to is not None:
        conditions.append(Activity.occurred_at < occurred_to)
    return conditions
