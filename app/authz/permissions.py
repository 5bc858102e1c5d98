"""Roles and what they may do: the one table of permissions (DOMAIN.md, "Roles and scope")."""

from enum import StrEnum


class Role(StrEnum):
    admin = "admin"
    province_officer = "province_officer"
    commune_officer = "commune_officer"
    team_leader = "team_leader"
    team_member = "team_member"
    viewer = "viewer"
    integration = "integration"


class Permission(StrEnum):
    units_read = "units:read"
    units_manage = "units:manage"
    users_read = "users:read"
    users_manage = "users:manage"
    teams_read = "teams:read"
    teams_manage = "teams:manage"
    members_read = "members:read"
    members_manage = "members:manage"
    trainings_read = "trainings:read"
    trainings_manage = "trainings:manage"
    households_read = "households:read"
    households_update = "households:update"
    # Only a household's VNeID and digital-signature counts: the commune police's key (Đề án 06, plan
    # 004), and everyone who may record a visit (a part of one).
    households_vneid = "households:vneid"
    households_manage = "households:manage"
    # The whole list as a file (Law 91/2025/QH15, minimisation): those who answer for it, not the
    # members, who work from the list on the phone (issue 21).
    households_export = "households:export"
    campaigns_read = "campaigns:read"
    campaigns_manage = "campaigns:manage"
    events_manage = "events:manage"
    activities_read = "activities:read"
    activities_record = "activities:record"
    activities_manage = "activities:manage"
    targets_read = "targets:read"
    targets_manage = "targets:manage"
    kpi_read = "kpi:read"
    reports_create = "reports:create"
    reports_approve = "reports:approve"
    awards_manage = "awards:manage"
    # Proposing a member, a team or an initiative for an award (plan 000 IV.7: the team leader).
    awards_propose = "awards:propose"
    # Guides the commune and the province publish to their teams (plans 000, 004): everyone reads them.
    learning_read = "learning:read"
    learning_manage = "learning:manage"
    audit_read = "audit:read"
    # A data subject's requests (everything held about a household; erasure): officers and admins.
    personal_data_manage = "personal_data:manage"
    api_keys_manage = "api_keys:manage"


P = Permission
_READ_ALL = {
    P.units_read,
    P.users_read,
    P.teams_read,
    P.members_read,
    P.trainings_read,
    P.households_read,
    P.campaigns_read,
    P.activities_read,
    P.targets_read,
    P.kpi_read,
    P.learning_read,
}
_DASHBOARD = {P.units_read, P.teams_read, P.trainings_read, P.campaigns_read, P.targets_read, P.kpi_read}
_DASHBOARD |= {P.learning_read}  # the guides of their area, as everyone

PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.admin: frozenset(Permission),
    Role.province_officer: frozenset(
        _READ_ALL
        | {P.units_manage, P.users_manage, P.campaigns_manage, P.events_manage, P.targets_manage}
        | {P.households_export}
        | {P.reports_create, P.reports_approve, P.awards_manage, P.audit_read, P.api_keys_manage}
        | {P.personal_data_manage, P.learning_manage}
        | {P.trainings_manage}  # the department trains the teams' members (plan 002, III.1)
        | {P.awards_propose}
    ),
    # units:manage lets a commune officer create, rename, merge and delete the commune's villages
    # (villages are local, issue 12); a unit is managed from its parent, so not the commune itself.
    Role.commune_officer: frozenset(
        {P.awards_propose}
        | _READ_ALL
        | {P.units_manage, P.users_manage, P.teams_manage, P.members_manage, P.trainings_manage}
        | {P.households_update, P.households_manage, P.households_export, P.campaigns_manage, P.events_manage}
        | {P.activities_record, P.activities_manage, P.targets_manage}
        | {P.reports_create, P.reports_approve, P.awards_manage, P.audit_read, P.api_keys_manage}
        | {P.personal_data_manage, P.learning_manage}
    ),
    Role.team_leader: frozenset(
        _READ_ALL - {P.users_read}
        | {P.members_manage, P.trainings_manage, P.households_update, P.households_manage}
        | {P.households_export}
        | {P.events_manage, P.activities_record, P.activities_manage, P.reports_create}
        | {P.awards_propose}
    ),
    Role.team_member: frozenset(
        {P.units_read, P.teams_read, P.members_read, P.households_read, P.households_update}
        | {P.campaigns_read, P.activities_read, P.activities_record, P.targets_read, P.kpi_read}
        | {P.learning_read}
    ),
    Role.viewer: frozenset(_DASHBOARD),
    # Integrations read what a viewer reads plus rosters, and push counts; API keys narrow this further.
    Role.integration: frozenset(_DASHBOARD | {P.members_read, P.activities_read, P.activities_record}),
}
# Updating the VNeID figures is a part of a visit: whoever may record a visit may do it.
PERMISSIONS = {
    role: perms | {P.households_vneid} if P.households_update in perms else perms
    for role, perms in PERMISSIONS.items()
}
# An API key limited to the VNeID figures (`vneid_only`, the commune police under Đề án 06, plan 004):
# it finds the households of its area and updates their VNeID and signature counts, nothing else.
VNEID_KEY: frozenset[Permission] = frozenset({P.units_read, P.households_read, P.households_vneid})

# Who may grant what: a role may be granted only by a holder of an equal or higher rank.
RANK: dict[Role, int] = {
    Role.admin: 100,
    Role.province_officer: 50,
    Role.commune_officer: 40,
    Role.team_leader: 30,
    Role.integration: 25,
    Role.team_member: 20,
    Role.viewer: 10,
}

# A role that may also be held at no unit, over the whole country (the ministry's viewer); only an
# admin grants it there.
COUNTRY_ROLES = frozenset({Role.viewer})

# The level a role is held at, when it must be one: a team role lives in a village or commune team.
ROLE_LEVELS: dict[Role, tuple[str, ...]] = {
    Role.admin: (),
    Role.province_officer: ("province",),
    Role.commune_officer: ("commune",),
    Role.team_leader: ("commune", "village"),
    Role.team_member: ("commune", "village"),
    Role.viewer: ("province", "commune", "village"),
    Role.integration: ("province", "commune", "village"),
}
