"""The change feed (`?updated_since=`): records changed after a moment, deletions as tombstones,
ordered by (updated_at, id) and paginated by an opaque cursor — how a phone keeps its village in sync.

A client stores `next_cursor` and passes it back next time; replaying a page is harmless because
every record carries its `version`.
"""

import base64
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from sqlalchemy import Select, tuple_

from app.core.errors import Invalid
from app.core.fields import utc_moment


class Tombstone(BaseModel):
    id: uuid.UUID
    deleted: Literal[True] = True
    updated_at: datetime


class FeedPage(BaseModel):
    next_cursor: str | None
    has_more: bool
    limit: int


def encode_cursor(updated_at: datetime, record_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{updated_at.isoformat()}|{record_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The position a cursor encodes, checked as any moment from a client is (an aware time in the
    years 1900–2100): a forged one is a 422, not a value the database refuses."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        text, record_id = raw.split("|")
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:
            raise ValueError("a cursor's time has an offset")
        return utc_moment(moment), uuid.UUID(record_id)
    except (ValueError, OverflowError, UnicodeDecodeError):
        raise Invalid("The cursor is not one this server gave out", loc=["query", "cursor"]) from None


def in_order(model: Any) -> list:
    """The feed's order: the time of the change, then the id."""
    return [model.updated_at, model.id]


def changed_after(model: Any, since: datetime | None, cursor: str | None) -> list:
    """The changes after `cursor`, or after `since`; no condition for all of them."""
    if cursor is not None:
        moment, record_id = decode_cursor(cursor)
        return [tuple_(model.updated_at, model.id) > tuple_(moment, record_id)]
    return [] if since is None else [model.updated_at > since]


def feed_query(query: Select, model: Any, since: datetime | None, cursor: str | None, limit: int) -> Select:
    """Narrow `query` (already scoped) to the changes after `cursor`, or after `since`."""
    return query.where(*changed_after(model, since, cursor)).order_by(*in_order(model)).limit(limit + 1)


def page_of_changes(rows: list[Any], limit: int, cursor: str | None, to_item) -> dict[str, Any]:
    """Items (tombstones for deleted rows), the cursor after the last one, and whether more follow."""
    has_more = len(rows) > limit
    rows = rows[:limit]
    items = [
        Tombstone(id=r.id, updated_at=r.updated_at) if r.deleted_at is not None else to_item(r) for r in rows
    ]
    next_cursor = encode_cursor(rows[-1].updated_at, rows[-1].id) if rows else cursor
    return {"items": items, "next_cursor": next_cursor, "has_more": has_more, "limit": limit}
