"""The authorization matrix: every route under /api/v1, every method, as every role, an integration
API key and nobody, against a record in the caller's area and one outside it (DOMAIN.md, "Roles
and scope"). A new route fails `test_every_route_is_in_the_table` until someone writes down who
may call it.

The expectations are data written here from DOMAIN.md, not read from `app.authz.permissions`:
- in scope (records of commune c1 / village v11): the route's success status for the roles holding
  its permission, 403 for the others;
- out of scope (records of v31 / c3, another province): 404 for everyone but the admin (who sees
  everything), a reference in the body included (API.md: an id outside the caller's area does not
  exist for them); 403 only on a collection route and only for a role that lacks the permission
  everywhere (the answer then says nothing about the target);
- nobody: 401 on every private route.
Each request runs in a savepoint that is rolled back, so every caller meets the same records.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from app.authz.permissions import Role
from app.core.config import get_settings
from app.core.security import hash_password
from app.kpi.periods import local_today
from app.models import KpiSnapshot, Target
from tests.roster import make_member, make_team, make_training
from tests.test_campaigns import make_activity, make_campaign, make_event
from tests.test_learning import make_material
from tests.world import PASSWORD, make_api_key, make_award, make_household, make_user
from tests.world_awards import make_initiative, make_nomination

A, P, C, L, M, V, I = (  # noqa: E741 - one letter per caller keeps the table readable
    "admin",
    "province_officer",
    "commune_officer",
    "team_leader",
    "team_member",
    "viewer",
    "integration",
)
NOBODY = "anonymous"
CALLERS = (A, P, C, L, M, V, I, NOBODY)

# Who holds what (DOMAIN.md, "Roles and scope"), written out: the integration key is read-write.
EVERYONE = frozenset({A, P, C, L, M, V, I})
OFFICERS = frozenset({A, P, C})
UNITS_MANAGE = frozenset({A, P, C})  # C: the commune's villages
TEAMS_MANAGE = frozenset({A, C})
MEMBERS_READ = frozenset({A, P, C, L, M, I})
MEMBERS_MANAGE = frozenset({A, C, L})
TRAININGS_READ = frozenset({A, P, C, L, V, I})
TRAININGS_MANAGE = frozenset({A, P, C, L})  # P: the department trains the members (002)
HOUSEHOLDS_READ = frozenset({A, P, C, L, M})
HOUSEHOLDS_UPDATE = frozenset({A, C, L, M})
HOUSEHOLDS_MANAGE = frozenset({A, C, L})
EVENTS_MANAGE = frozenset({A, P, C, L})
ACTIVITIES_READ = frozenset({A, P, C, L, M, I})
ACTIVITIES_RECORD = frozenset({A, C, L, M, I})
ACTIVITIES_MANAGE = frozenset({A, C, L})
REPORTS_CREATE = frozenset({A, P, C, L})
AWARDS_PROPOSE = frozenset({A, P, C, L})  # plan 000 IV.7: the team leader proposes
# users:read/manage, campaigns:manage, targets:manage, reports:approve, audit:read, api_keys:manage,
# personal_data:manage all belong to the officers and the admin.


@dataclass(frozen=True)
class Spec:
    """What one route answers. `ok` in scope for `allowed`, 403 for the other roles; out of scope,
    `out` (404) for everyone but the admin, or `out_lacking` for a role
    outside `allowed` when the route refuses it before looking at the target. `exceptions` holds
    the few explicit departures, keyed by (scope, role)."""

    ok: int
    allowed: frozenset[str] = EVERYONE
    out: int = 404
    out_lacking: int | None = None
    exceptions: dict[tuple[str, str], int] = field(default_factory=dict)
    public: bool = False
    query: Callable[[Any], dict] | None = None
    body: Callable[[Any], dict] | None = None
    form: Callable[[Any], dict] | None = None
    files: Callable[[Any], dict] | None = None
    ids: dict[str, str] = field(default_factory=dict)  # a path parameter → another fixture record

    def expected(self, scope: str, caller: str) -> int:
        if self.public:
            return self.ok
        if caller == NOBODY:
            return 401
        if (scope, caller) in self.exceptions:
            return self.exceptions[(scope, caller)]
        granted = caller in self.allowed
        if scope == "in" or caller == A:
            return self.ok if granted else 403
        return self.out if granted or self.out_lacking is None else self.out_lacking


def unit_query(t) -> dict:
    return {"unit_id": t.unit}


def csv_upload(_) -> dict:
    return {"file": ("ho.csv", "Họ tên chủ hộ,Địa chỉ\nNguyễn Văn Ma Trận,Xóm 1\n".encode(), "text/csv")}


TABLE: dict[tuple[str, str], Spec] = {
    # --- sign-in: public, the same for every caller -----------------------------------------------
    ("POST", "/api/v1/auth/token"): Spec(
        200, public=True, form=lambda t: {"username": "admin", "password": PASSWORD}
    ),
    ("POST", "/api/v1/auth/refresh"): Spec(401, public=True, body=lambda t: {"refresh_token": "spent"}),
    ("POST", "/api/v1/auth/logout"): Spec(204, public=True, body=lambda t: {"refresh_token": "spent"}),
    ("GET", "/api/v1/auth/me"): Spec(200, out=200),
    # --- units --------------------------------------------------------------------------------------
    # A parent out of sight filters to an empty page (200), as any filter matching nothing.
    ("GET", "/api/v1/units"): Spec(200, out=200, query=lambda t: {"parent_id": t.parent}),
    ("POST", "/api/v1/units"): Spec(
        201,
        UNITS_MANAGE,
        # A village goes under a commune, which the team roles (in a village) do not see: none of theirs.
        exceptions={("in", L): 404, ("in", M): 404},
        body=lambda t: {"code": "MX-1", "name": "Thôn Mới", "level": "village", "parent_id": t.parent},
    ),
    ("GET", "/api/v1/units/{unit_id}"): Spec(200),
    ("PATCH", "/api/v1/units/{unit_id}"): Spec(200, UNITS_MANAGE, body=lambda t: {"name": "Thôn Đổi Tên"}),
    # Deleting a unit is managing its parent; the village still holds records, hence 409.
    ("DELETE", "/api/v1/units/{unit_id}"): Spec(409, UNITS_MANAGE),
    ("GET", "/api/v1/units/{unit_id}/history"): Spec(200),
    # A commune's villages from a list: managing the commune (team roles do not see it).
    ("POST", "/api/v1/units/import"): Spec(
        201,
        UNITS_MANAGE,
        exceptions={("in", L): 404, ("in", M): 404},
        query=lambda t: {"parent_id": t.parent},
        files=lambda t: {"file": ("thon.csv", "Tên thôn\nThôn Ma Trận\n".encode(), "text/csv")},
    ),
    # Official units are public: an old commune's name resolves for anyone signed in.
    ("GET", "/api/v1/units/resolve"): Spec(200, out=200, query=lambda t: {"q": "Xã Đại Áng, Thanh Trì"}),
    # Moving or merging a unit is managing its parent and the receiving side (another commune of p,
    # another village of c1).
    ("POST", "/api/v1/units/{unit_id}/move"): Spec(
        200,
        UNITS_MANAGE,
        exceptions={("in", C): 404},  # the other commune is outside the commune officer's area
        body=lambda t: {"parent_id": t.other_commune, "effective_on": "2026-03-01"},
    ),
    # A merger takes effect after the records that stay in the merged village (yesterday's activity).
    ("POST", "/api/v1/units/{unit_id}/merge"): Spec(
        200,
        UNITS_MANAGE,
        body=lambda t: {"into_id": t.other_village, "effective_on": local_today().isoformat()},
    ),
    # --- users ----------------------------------------------------------------------------------------
    ("GET", "/api/v1/users"): Spec(200, OFFICERS, out_lacking=403, query=unit_query),
    ("POST", "/api/v1/users"): Spec(
        201,
        OFFICERS,
        out_lacking=403,
        body=lambda t: {
            "username": "matrix.new",
            "full_name": "Người Mới",
            "password": "secret-pass-1",
            "roles": [{"role": "team_member", "unit_id": t.unit}],
        },
    ),
    ("GET", "/api/v1/users/{user_id}"): Spec(200, OFFICERS),
    ("PATCH", "/api/v1/users/{user_id}"): Spec(200, OFFICERS, body=lambda t: {"full_name": "Tên Mới"}),
    ("DELETE", "/api/v1/users/{user_id}"): Spec(204, OFFICERS),
    # --- households -----------------------------------------------------------------------------------
    ("GET", "/api/v1/households"): Spec(200, HOUSEHOLDS_READ, out_lacking=403, query=unit_query),
    ("POST", "/api/v1/households"): Spec(
        201, HOUSEHOLDS_MANAGE, body=lambda t: {"unit_id": t.unit, "head_name": "Hộ Ma Trận"}
    ),
    ("POST", "/api/v1/households/import"): Spec(201, HOUSEHOLDS_MANAGE, query=unit_query, files=csv_upload),
    ("GET", "/api/v1/households/{household_id}"): Spec(200, HOUSEHOLDS_READ),
    # The whole list as a file: those who answer for it, not a team member (issue 21, minimisation).
    ("GET", "/api/v1/households/export.xlsx"): Spec(
        200, frozenset({A, P, C, L}), out_lacking=403, query=unit_query
    ),
    ("PATCH", "/api/v1/households/{household_id}"): Spec(
        200, HOUSEHOLDS_UPDATE, body=lambda t: {"note": "Đã ghé thăm"}
    ),
    ("GET", "/api/v1/households/{household_id}/notes"): Spec(200, HOUSEHOLDS_READ),
    ("DELETE", "/api/v1/households/{household_id}"): Spec(204, HOUSEHOLDS_MANAGE),
    # A data subject's requests: personal_data:manage, the officers and the admin (issue 13).
    ("GET", "/api/v1/households/{household_id}/personal-data"): Spec(200, OFFICERS),
    ("POST", "/api/v1/households/{household_id}/erase"): Spec(200, OFFICERS),
    # --- teams and members ----------------------------------------------------------------------------
    ("GET", "/api/v1/teams"): Spec(200, query=unit_query),
    ("POST", "/api/v1/teams"): Spec(201, TEAMS_MANAGE, body=lambda t: {"unit_id": t.unit, "name": "Tổ Mới"}),
    ("GET", "/api/v1/teams/{team_id}"): Spec(200),
    ("PATCH", "/api/v1/teams/{team_id}"): Spec(200, TEAMS_MANAGE, body=lambda t: {"name": "Tổ Đổi Tên"}),
    ("DELETE", "/api/v1/teams/{team_id}"): Spec(204, TEAMS_MANAGE, ids={"team_id": "empty_team"}),
    # Founding and re-organisation by decision, the plans' hints, villages without a team (issue 20, item 1).
    ("GET", "/api/v1/teams/directory"): Spec(200, query=unit_query),
    ("GET", "/api/v1/teams/coverage"): Spec(
        200, exceptions={("in", L): 404, ("in", M): 404}, query=lambda t: {"unit_id": t.parent}
    ),
    ("GET", "/api/v1/teams/{team_id}/profile"): Spec(200, MEMBERS_READ),
    ("GET", "/api/v1/teams/{team_id}/decisions"): Spec(200),
    ("POST", "/api/v1/teams/{team_id}/decisions"): Spec(
        201,
        TEAMS_MANAGE,
        body=lambda t: {"kind": "founding", "number": "1/QĐ-UBND", "decided_on": "2025-10-09"},
    ),
    # Results per member for the leader and the commune; a member's own page (issue 20, item 2).
    ("GET", "/api/v1/members/results"): Spec(200, MEMBERS_MANAGE, out_lacking=403, query=unit_query),
    ("GET", "/api/v1/members/me"): Spec(200, out=200),
    # The VNeID figures that came from the police's keys (issue 20, item 6).
    ("GET", "/api/v1/vneid/updates"): Spec(200, HOUSEHOLDS_READ, out_lacking=403, query=unit_query),
    ("GET", "/api/v1/members"): Spec(200, MEMBERS_READ, out_lacking=403, query=unit_query),
    ("POST", "/api/v1/members"): Spec(
        201, MEMBERS_MANAGE, body=lambda t: {"team_id": t.team, "full_name": "Thành Viên Mới"}
    ),
    ("GET", "/api/v1/members/{member_id}"): Spec(200, MEMBERS_READ),
    ("PATCH", "/api/v1/members/{member_id}"): Spec(
        200, MEMBERS_MANAGE, body=lambda t: {"full_name": "Tên Mới"}
    ),
    ("DELETE", "/api/v1/members/{member_id}"): Spec(204, MEMBERS_MANAGE),
    # --- trainings ------------------------------------------------------------------------------------
    ("GET", "/api/v1/trainings"): Spec(200, TRAININGS_READ, out_lacking=403, query=unit_query),
    ("POST", "/api/v1/trainings"): Spec(
        201,
        TRAININGS_MANAGE,
        body=lambda t: {"unit_id": t.unit, "title": "Tập huấn", "held_on": "2026-04-01"},
    ),
    ("GET", "/api/v1/trainings/{training_id}"): Spec(200, TRAININGS_READ),
    ("PATCH", "/api/v1/trainings/{training_id}"): Spec(
        200, TRAININGS_MANAGE, body=lambda t: {"title": "Mới"}
    ),
    ("DELETE", "/api/v1/trainings/{training_id}"): Spec(204, TRAININGS_MANAGE),
    # --- targets and KPIs -----------------------------------------------------------------------------
    ("GET", "/api/v1/targets"): Spec(200, query=lambda t: {"unit_id": t.unit, "year": 2026}),
    ("POST", "/api/v1/targets"): Spec(
        201,
        OFFICERS,
        body=lambda t: {"unit_id": t.unit, "year": 2026, "indicator": "adults_smartphone_pct", "value": 85},
    ),
    ("GET", "/api/v1/targets/{target_id}"): Spec(200),
    ("PATCH", "/api/v1/targets/{target_id}"): Spec(200, OFFICERS, body=lambda t: {"value": 90}),
    ("DELETE", "/api/v1/targets/{target_id}"): Spec(204, OFFICERS),
    ("GET", "/api/v1/kpi"): Spec(200, query=lambda t: {"unit_id": t.unit, "period": "2026"}),
    ("GET", "/api/v1/kpi/breakdown"): Spec(
        200,
        query=lambda t: {"unit_id": t.unit, "period": "2026-Q1", "indicator": "people_supported"},
    ),
    ("GET", "/api/v1/kpi/snapshots"): Spec(200, query=unit_query),
    # The unit of a report is a query-like reference here: out of sight it is 404.
    ("POST", "/api/v1/kpi/snapshots"): Spec(
        201, REPORTS_CREATE, body=lambda t: {"unit_id": t.unit, "period": "2026-03"}
    ),
    ("GET", "/api/v1/kpi/snapshots/pending"): Spec(
        200,
        query=lambda t: {"unit_id": t.unit, "period": "2026-01"},
    ),
    ("GET", "/api/v1/kpi/snapshots/{snapshot_id}"): Spec(200),
    ("DELETE", "/api/v1/kpi/snapshots/{snapshot_id}"): Spec(204, REPORTS_CREATE),
    ("PATCH", "/api/v1/kpi/snapshots/{snapshot_id}"): Spec(
        200, REPORTS_CREATE, body=lambda t: {"difficulties": "Sóng yếu ở xóm 3"}
    ),
    ("POST", "/api/v1/kpi/snapshots/{snapshot_id}/submit"): Spec(200, REPORTS_CREATE),
    # A village's report is approved in its commune: reports:approve over the parent unit.
    ("POST", "/api/v1/kpi/snapshots/{snapshot_id}/approve"): Spec(
        200, OFFICERS, ids={"snapshot_id": "submitted"}
    ),
    ("POST", "/api/v1/kpi/snapshots/{snapshot_id}/return"): Spec(
        200, OFFICERS, ids={"snapshot_id": "submitted"}, body=lambda t: {"reason": "Thiếu số liệu"}
    ),
    ("GET", "/api/v1/kpi/snapshots/{snapshot_id}/export.xlsx"): Spec(200),
    ("GET", "/api/v1/kpi/snapshots/{snapshot_id}/summary"): Spec(200),
    ("GET", "/api/v1/kpi/trend"): Spec(200, query=lambda t: {"unit_id": t.unit, "year": 2026}),
    ("GET", "/api/v1/kpi/report-deadlines/{unit_id}"): Spec(200),
    # Deadlines are set for a province, by who approves its communes' reports: a village is 422 to them.
    ("PUT", "/api/v1/kpi/report-deadlines/{unit_id}"): Spec(
        422, frozenset({A, P}), body=lambda t: {"monthly_day": 25, "quarterly_day": 10}
    ),
    # --- campaigns and events -------------------------------------------------------------------------
    ("GET", "/api/v1/campaigns"): Spec(200, query=unit_query),
    ("POST", "/api/v1/campaigns"): Spec(
        201,
        OFFICERS,
        body=lambda t: {
            "unit_id": t.unit,
            "kind": "digital_signature",
            "name": "Chữ ký số",
            "starts_on": "2026-06-01",
            "ends_on": "2026-06-30",
        },
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}"): Spec(200),
    ("PATCH", "/api/v1/campaigns/{campaign_id}"): Spec(200, OFFICERS, body=lambda t: {"name": "Tên Mới"}),
    ("DELETE", "/api/v1/campaigns/{campaign_id}"): Spec(204, OFFICERS),
    ("GET", "/api/v1/campaigns/{campaign_id}/progress"): Spec(200),
    ("GET", "/api/v1/campaigns/{campaign_id}/events"): Spec(200),
    ("POST", "/api/v1/campaigns/{campaign_id}/events"): Spec(
        201,
        EVENTS_MANAGE,
        body=lambda t: {
            "unit_id": t.unit,
            "title": "Điểm hỗ trợ mới",
            "starts_at": "2025-05-20T08:00:00+07:00",
            "ends_at": "2025-05-20T11:00:00+07:00",
        },
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/events/{event_id}"): Spec(200),
    ("PATCH", "/api/v1/campaigns/{campaign_id}/events/{event_id}"): Spec(
        200, EVENTS_MANAGE, body=lambda t: {"title": "Tên Mới"}
    ),
    ("DELETE", "/api/v1/campaigns/{campaign_id}/events/{event_id}"): Spec(204, EVENTS_MANAGE),
    # --- activities -----------------------------------------------------------------------------------
    ("GET", "/api/v1/activities"): Spec(200, ACTIVITIES_READ, out_lacking=403, query=unit_query),
    ("POST", "/api/v1/activities"): Spec(
        201,
        ACTIVITIES_RECORD,
        out_lacking=404,  # the unit is checked before the role: an unknown reference either way
        body=lambda t: {
            "unit_id": t.unit,
            "occurred_at": "2026-03-10T09:00:00+07:00",
            "kind": "online_dossier",
            "people_count": 2,
            "dossier_count": 1,
        },
    ),
    ("GET", "/api/v1/activities/{activity_id}"): Spec(200, ACTIVITIES_READ),
    ("PATCH", "/api/v1/activities/{activity_id}"): Spec(
        200, ACTIVITIES_MANAGE, body=lambda t: {"note": "Sửa"}
    ),
    ("DELETE", "/api/v1/activities/{activity_id}"): Spec(204, ACTIVITIES_MANAGE),
    # Counts only (no personal data): whoever reads the area's indicators, viewers included.
    ("GET", "/api/v1/activities/summary"): Spec(
        200, frozenset({A, P, C, L, M, V, I}), query=lambda t: {"unit_id": t.unit, "period": "2026-03"}
    ),
    # --- learning materials (a commune's, read from its villages too; its officers publish) ------------
    ("GET", "/api/v1/learning-materials"): Spec(200, out=200),  # the caller's own area: a filter of none
    ("POST", "/api/v1/learning-materials"): Spec(
        201,
        OFFICERS,
        out_lacking=404,
        # the commune is no unit a village's team can write into: it does not exist for them
        exceptions={("in", L): 404, ("in", M): 404},
        body=lambda t: {"unit_id": t.parent, "kind": "video", "title": "VssID", "url": "https://vssid.vn/"},
    ),
    ("GET", "/api/v1/learning-materials/{material_id}"): Spec(200),
    ("PATCH", "/api/v1/learning-materials/{material_id}"): Spec(
        200, OFFICERS, body=lambda t: {"title": "Mới"}
    ),
    ("DELETE", "/api/v1/learning-materials/{material_id}"): Spec(204, OFFICERS),
    # --- awards (a commune's, read from its villages too) -----------------------------------------------
    ("GET", "/api/v1/awards"): Spec(200, query=unit_query),
    ("POST", "/api/v1/awards"): Spec(
        201,
        OFFICERS,
        out_lacking=404,
        # the commune is no unit a village's team can write into: it does not exist for them
        exceptions={("in", L): 404, ("in", M): 404},
        body=lambda t: {"unit_id": t.parent, "title": "10/10", "period": "2026", "cutoff_on": "2026-10-05"},
    ),
    ("GET", "/api/v1/awards/{award_id}"): Spec(200),
    ("PATCH", "/api/v1/awards/{award_id}"): Spec(200, OFFICERS, body=lambda t: {"title": "Khen thưởng"}),
    ("DELETE", "/api/v1/awards/{award_id}"): Spec(204, OFFICERS),
    ("POST", "/api/v1/awards/{award_id}/freeze"): Spec(200, OFFICERS),
    ("GET", "/api/v1/awards/{award_id}/export.xlsx"): Spec(200),
    # Proposals name people: read with members:read; proposed by a team's leader or an officer at the
    # nominee's unit (a viewer cannot see the member proposed: 404); reviewed and decided by officers.
    ("GET", "/api/v1/awards/{award_id}/nominations"): Spec(200, MEMBERS_READ),
    ("POST", "/api/v1/awards/{award_id}/nominations"): Spec(
        201,
        AWARDS_PROPOSE,
        exceptions={("in", V): 404},
        ids={"award_id": "plain_award"},  # the member is proposed already in the other one
        body=lambda t: {"kind": "member", "member_id": t.member_id, "reason": "Nhiệt tình"},
    ),
    ("DELETE", "/api/v1/awards/{award_id}/nominations/{nomination_id}"): Spec(204, AWARDS_PROPOSE),
    ("POST", "/api/v1/awards/{award_id}/nominations/{nomination_id}/review"): Spec(
        200, OFFICERS, body=lambda t: {"status": "accepted"}
    ),
    ("POST", "/api/v1/awards/{award_id}/decision"): Spec(
        200,
        OFFICERS,
        ids={"award_id": "plain_award"},  # an award with no proposal waiting for review
        body=lambda t: {"decision_no": "12/QĐ-UBND", "decision_date": "2026-10-10"},
    ),
    # Good models and initiatives: read as indicators are; recorded by who may propose.
    ("GET", "/api/v1/initiatives"): Spec(200, query=unit_query),
    ("POST", "/api/v1/initiatives"): Spec(
        201,
        AWARDS_PROPOSE,
        body=lambda t: {"unit_id": t.unit, "title": "Gia đình số", "description": "Mỗi nhà"},
    ),
    ("GET", "/api/v1/initiatives/{initiative_id}"): Spec(200),
    ("PATCH", "/api/v1/initiatives/{initiative_id}"): Spec(
        200, AWARDS_PROPOSE, body=lambda t: {"title": "Mới"}
    ),
    ("DELETE", "/api/v1/initiatives/{initiative_id}"): Spec(204, AWARDS_PROPOSE),
    # --- audit and API keys ---------------------------------------------------------------------------
    ("GET", "/api/v1/audit"): Spec(200, OFFICERS, out_lacking=403, query=unit_query),
    ("GET", "/api/v1/access-log"): Spec(200, OFFICERS, out_lacking=403, query=unit_query),
    ("GET", "/api/v1/api-keys"): Spec(200, OFFICERS, out_lacking=403, query=unit_query),
    ("POST", "/api/v1/api-keys"): Spec(
        201, OFFICERS, body=lambda t: {"name": "Cổng tỉnh", "unit_id": t.unit, "read_only": False}
    ),
    ("GET", "/api/v1/api-keys/{key_id}"): Spec(200, OFFICERS),
    ("POST", "/api/v1/api-keys/{key_id}/rotate"): Spec(200, OFFICERS),
    ("DELETE", "/api/v1/api-keys/{key_id}"): Spec(204, OFFICERS),
}


PATH_PARAMETERS = (
    "unit_id",
    "user_id",
    "household_id",
    "team_id",
    "member_id",
    "training_id",
    "target_id",
    "snapshot_id",
    "campaign_id",
    "event_id",
    "activity_id",
    "key_id",
    "award_id",
    "nomination_id",
    "initiative_id",
    "material_id",
)


def api_routes(app) -> set[tuple[str, str]]:
    return {
        (method, ctx.path)
        for ctx in iter_route_contexts(app.routes)
        if isinstance(ctx.original_route, APIRoute) and ctx.path.startswith("/api/v1/")
        for method in ctx.methods
    }


def test_every_route_is_in_the_table(app):
    routes = api_routes(app)
    assert sorted(routes - TABLE.keys()) == [], "new routes: say in TABLE who may call them"
    assert sorted(TABLE.keys() - routes) == [], "TABLE names routes that no longer exist"


def test_the_table_keeps_the_rules():
    """Out of scope is 404, never 403, except where the role is refused
    the route whatever the target; nobody gets 401 on every private route."""
    for (method, path), spec in TABLE.items():
        for caller in CALLERS:
            if spec.public:
                continue
            out = spec.expected("out", caller)
            if caller == NOBODY:
                assert out == spec.expected("in", caller) == 401
            elif out == 403:
                assert "{" not in path and spec.expected("in", caller) == 403, (method, path, caller)


async def _records(session, world, village, commune, suffix: str) -> SimpleNamespace:
    """One record of each kind in `village` (of `commune`)."""
    now = datetime.now(UTC)
    team = await make_team(session, village, f"Tổ {suffix}")
    member = await make_member(session, team, f"Thành viên {suffix}")
    campaign = await make_campaign(session, village, f"Chiến dịch {suffix}")
    event = await make_event(session, campaign, village)
    snapshots = {}
    for status, period in (("draft", "2026-01"), ("submitted", "2026-02")):
        snapshot = KpiSnapshot(
            unit_id=village.id,
            period=period,
            status=status,
            indicators=[],
            frozen_at=now,
            due_on=date(2026, 3, 15),
            submitted_at=now if status == "submitted" else None,
        )
        session.add(snapshot)
        snapshots[status] = snapshot
    target = Target(unit_id=village.id, year=2026, indicator="households_informed_pct", value=100)
    session.add(target)
    user = await make_user(
        session, f"matrix.{suffix}", Role.team_member, village, await hash_password("x" * 8)
    )
    ids = {
        "unit_id": village.id,
        "parent": commune.id,
        "user_id": user.id,
        "household_id": (await make_household(session, village, f"Hộ {suffix}")).id,
        "team_id": team.id,
        "empty_team": (await make_team(session, village, f"Tổ trống {suffix}")).id,
        "member_id": member.id,
        "training_id": (await make_training(session, village, members=[member])).id,
        "target_id": target.id,
        "snapshot_id": snapshots["draft"].id,
        "submitted": snapshots["submitted"].id,
        "campaign_id": campaign.id,
        "event_id": event.id,
        "activity_id": (await make_activity(session, village, occurred_at=now - timedelta(days=1))).id,
        "key_id": (await make_api_key(session, village, f"key {suffix}"))[0].id,
        "award_id": (award := await make_award(session, commune)).id,
        "plain_award": (await make_award(session, commune)).id,
        "nomination_id": (await make_nomination(session, award, member)).id,
        "initiative_id": (await make_initiative(session, village, f"Mô hình {suffix}")).id,
        "material_id": (await make_material(session, commune, f"Hướng dẫn {suffix}")).id,
        "other_commune": world.c2.id,
        "other_village": world.v12.id,
    }
    await session.flush()
    return SimpleNamespace(**{k: str(v) for k, v in ids.items()}, unit=str(village.id), team=str(team.id))


@pytest.fixture
def unlimited(monkeypatch):
    """Hundreds of requests per caller: the rate limits (tested on their own) stay out of the way."""
    for name in ("rate_limit_per_minute", "rate_limit_anonymous_per_minute"):
        monkeypatch.setattr(get_settings(), name, 0, raising=False)


@pytest.mark.usefixtures("unlimited")
async def test_authorization_matrix(client, world, session, connection):
    targets = {
        "in": await _records(session, world, world.v11, world.c1, "trong"),
        "out": await _records(session, world, world.v31, world.c3, "ngoai"),
    }
    _, integration_key = await make_api_key(session, world.c1, "matrix", read_only=False)
    await session.commit()
    headers = {role.value: world.auth(role) for role in world.tokens} | {
        I: {"X-API-Key": integration_key},
        NOBODY: {},
    }

    mismatches = []
    for (method, template), spec in sorted(TABLE.items(), key=lambda item: (item[0][1], item[0][0])):
        for scope, t in targets.items():
            path = template
            for name in PATH_PARAMETERS:
                path = path.replace(f"{{{name}}}", getattr(t, spec.ids.get(name, name)))
            assert "{" not in path, path
            for caller in CALLERS:
                savepoint = await connection.begin_nested()
                try:
                    response = await client.request(
                        method,
                        path,
                        params=spec.query(t) if spec.query else None,
                        json=spec.body(t) if spec.body else None,
                        data=spec.form(t) if spec.form else None,
                        files=spec.files(t) if spec.files else None,
                        headers=headers[caller],
                    )
                finally:
                    await savepoint.rollback()
                expected = spec.expected(scope, caller)
                if response.status_code != expected:
                    detail = response.text[:160] if response.status_code >= 400 else ""
                    mismatches.append(
                        f"{method} {template} [{scope}] as {caller}: {response.status_code} "
                        f"(expected {expected}) {detail}"
                    )
    assert mismatches == [], "\n" + "\n".join(mismatches)
