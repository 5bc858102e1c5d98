"""Activities: one act of help. The hottest write of the field (bursts on campaign days), so every
reference is one primary-key lookup, and whether it covers the activity's unit is read off the unit's
materialized path."""

from typing import Any

from pydantic import BaseModel

from app.activities.schemas import ActivityRead
from app.authz.permissions import Permission as P
from app.authz.scope import holds
from app.core.errors import Invalid, Problem
from app.kpi import aggregates
from app.models import Activity, Campaign, CampaignEvent, Household, Member
from app.records import Permissions, Resource, Write

FILTERS = ("kind", "campaign_id", "event_id", "household_id", "member_id")
ORDER = [Activity.occurred_at.desc(), Activity.id.desc()]


class Activities(Resource):
    name, label, model, read = "activity", "Activity", Activity, ActivityRead
    permissions = Permissions(
        read=P.activities_read,
        create=P.activities_record,
        update=P.activities_manage,
        delete=P.activities_manage,
    )
    required = ("unit_id", "occurred_at", "kind", "people_count", "dossier_count")

    def replay_ignore(self, data: BaseModel) -> set[str]:
        # With only an event sent, the stored campaign_id comes from the event.
        return {"campaign_id"} if data.event_id is not None and data.campaign_id is None else set()

    async def rules(self, w: Write) -> dict[str, Any]:
        """The references agree with the activity's unit (DOMAIN.md, "Activity"), checked for those that
        are new or whose unit moved: a household deleted since does not block an edit of the note. With
        only the event given, the campaign is the event's."""
        session, values, changed, path = w.session, w.values, w.changed, w.unit.path
        problems: list[Problem] = []
        extra: dict[str, Any] = {} if w.obj is not None else {"recorded_by": w.principal.user_id}
        moved = "unit_id" in changed

        household_id = values.get("household_id")
        if household_id is not None and (moved or "household_id" in changed):
            household = await session.get(Household, household_id)
            if household is None or household.deleted_at is not None or household.unit_id != w.unit.id:
                problems.append(
                    Problem(
                        "household_id",
                        "the household must be a household of the activity's unit",
                        "activity.household_elsewhere",
                    )
                )

        campaign_id, event_id = values.get("campaign_id"), values.get("event_id")
        # The campaign follows the event when none is given, or when an update moves only the event.
        follow = campaign_id is None or ("event_id" in changed and "campaign_id" not in w.changes)
        settled = False  # the campaign was checked through the event, which lies within it
        if event_id is not None and (moved or {"event_id", "campaign_id"} & changed):
            event = await session.get(CampaignEvent, event_id)
            if event is None or not holds(event.unit_id, path):
                problems.append(
                    Problem(
                        "event_id",
                        "the event must take place in the activity's unit or one above it",
                        "activity.event_elsewhere",
                    )
                )
            else:
                settled = True
                if follow:
                    extra["campaign_id"] = event.campaign_id
                elif event.campaign_id != campaign_id:
                    problems.append(
                        Problem(
                            "campaign_id",
                            "the event belongs to another campaign",
                            "activity.event_of_other_campaign",
                        )
                    )
        if campaign_id is not None and not settled and (moved or "campaign_id" in changed):
            campaign = await session.get(Campaign, campaign_id)
            if campaign is None or not holds(campaign.unit_id, path):
                problems.append(
                    Problem(
                        "campaign_id",
                        "the campaign must be one of the activity's unit or above it",
                        "activity.campaign_elsewhere",
                    )
                )

        member_id = values.get("member_id")
        if member_id is not None and (moved or "member_id" in changed):
            member = await session.get(Member, member_id)
            if member is None or member.deleted_at is not None or not holds(member.unit_id, path):
                problems.append(
                    Problem(
                        "member_id",
                        "the member must be in a team of the activity's unit or above it",
                        "activity.member_elsewhere",
                    )
                )
        if problems:
            raise Invalid.fields(problems)
        return extra

    async def written(self, w: Write, before: Any, after: Any) -> None:
        await aggregates.activity_changed(w.session, before, after)


ACTIVITIES = Activities()


def list_filters(filters: dict[str, Any], occurred_from, occurred_to) -> list:
    conditions = [getattr(Activity, name) == value for name, value in filters.items() if value is not None]
    if occurred_from is not None:
        conditions.append(Activity.occurred_at >= occurred_from)
    if occurred_to is not None:
        conditions.append(Activity.occurred_at < occurred_to)
    return conditions
