"""Client-supplied ids: a phone may create the same record twice while offline.

A repeat with the same id and the same body returns the existing record; a different body is 409.
"""

from typing import Any

from pydantic import BaseModel

from app.core.errors import Conflict


def ensure_same(existing: BaseModel, sent: BaseModel, *, ignore: set[str] = frozenset()) -> None:
    """Compare what the client sent with the stored record, field by field (only the fields sent)."""
    stored = existing.model_dump(mode="json")
    body = sent.model_dump(mode="json", exclude_unset=True, exclude={"id", *ignore})
    different = sorted(k for k, v in body.items() if _normal(stored.get(k)) != _normal(v))
    if different:
        raise Conflict(f"A record with this id already exists with other values ({', '.join(different)})")


def _normal(value: Any) -> Any:
    """Lists compare as sets (`member_ids` in any order, a repeat counting once)."""
    if isinstance(value, list):
        return sorted({repr(v): v for v in map(_normal, value)}.values(), key=repr)
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    return value
