"""The records layer: every synced record (household, member, activity, team, training, campaign,
event, target) is read and written here, so scope, permission, replay, rules, aggregates and audit
happen in one order in one place. A domain describes its record as a `Resource`."""

from app.records.access import fetch
from app.records.closed import UnitClosed, ensure_open
from app.records.reads import changes, export, get, page
from app.records.resource import Permissions, Resource, Write
from app.records.writes import change, create, delete, insert, remove, update

__all__ = [
    "Permissions",
    "Resource",
    "UnitClosed",
    "Write",
    "change",
    "changes",
    "create",
    "delete",
    "ensure_open",
    "export",
    "fetch",
    "get",
    "insert",
    "page",
    "remove",
    "update",
]
