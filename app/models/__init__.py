"""Every table, imported so `SQLModel.metadata` (and Alembic) sees them all."""

from app.models.access_log import AccessLog
from app.models.activity import Activity
from app.models.api_key import ApiKey
from app.models.audit_log import AuditLog
from app.models.award import Award
from app.models.campaign import Campaign, CampaignEvent, EventDuty
from app.models.household import ADULT_COUNTS, Household
from app.models.idempotency import IdempotencyKey
from app.models.kpi import (
    ActivityDelta,
    ActivityRollup,
    ActivityStats,
    HouseholdDelta,
    HouseholdObservation,
    HouseholdRollup,
    HouseholdStats,
    KpiSnapshot,
    MemberStats,
    Target,
)
from app.models.learning import LearningMaterial
from app.models.legacy_unit import LegacyUnit
from app.models.team import Member, Team, TeamDecision
from app.models.training import Training, TrainingAttendance
from app.models.unit import Unit, UnitLevel
from app.models.unit_change import UnitChange
from app.models.user import RefreshToken, RoleAssignment, User

__all__ = [
    "ADULT_COUNTS",
    "AccessLog",
    "Activity",
    "ActivityDelta",
    "ActivityRollup",
    "ActivityStats",
    "ApiKey",
    "AuditLog",
    "Award",
    "Campaign",
    "CampaignEvent",
    "EventDuty",
    "Household",
    "HouseholdDelta",
    "HouseholdObservation",
    "HouseholdRollup",
    "HouseholdStats",
    "IdempotencyKey",
    "KpiSnapshot",
    "LearningMaterial",
    "LegacyUnit",
    "Member",
    "MemberStats",
    "RefreshToken",
    "RoleAssignment",
    "Target",
    "Team",
    "TeamDecision",
    "Training",
    "TrainingAttendance",
    "Unit",
    "UnitChange",
    "UnitLevel",
    "User",
]
