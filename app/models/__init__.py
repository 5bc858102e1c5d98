"""Every table, imported so `SQLModel.metadata` (and Alembic) sees them all."""

from app.models.audit_log import AuditLog
from app.models.unit import Unit, UnitLevel
from app.models.user import RefreshToken, RoleAssignment, User

__all__ = ["AuditLog", "RefreshToken", "RoleAssignment", "Unit", "UnitLevel", "User"]
