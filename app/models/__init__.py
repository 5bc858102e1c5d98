"""Every table, imported so `SQLModel.metadata` (and Alembic) sees them all."""

from app.models.activity import Activity
from app.models.audit_log import AuditLog
from app.models.campaign import Campaign, CampaignEvent, EventDuty
from app.models.household import ADULT_COUNTS, Household
from app.models.idempotency import IdempotencyKey
from app.models.team import Member, Team
from app.models.training import Training, TrainingAttendance
from app.models.unit import Unit, UnitLevel
from app.models.user import RefreshToken, RoleAssignment, User

__all__ = [
    "ADULT_COUNTS",
    "Activity",
    "AuditLog",
    "Campaign",
    "CampaignEvent",
    "EventDuty",
    "Household",
    "IdempotencyKey",
    "Member",
    "RefreshToken",
    "RoleAssignment",
    "Team",
    "Training",
    "TrainingAttendance",
    "Unit",
    "UnitLevel",
    "User",
]
