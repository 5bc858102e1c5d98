"""Failure counting in a sliding window, for login throttling.

In-process: enough for one worker. A shared store (Redis) can replace it behind the same methods.
"""

import time
from collections import deque


class FailureWindow:
    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, window: float, now: float) -> deque[float]:
        hits = self._failures.get(key)
        if hits is None:
            return deque()
        while hits and hits[0] <= now - window:
            hits.popleft()
        if not hits:
            del self._failures[key]
        return hits

    def retry_after(self, key: str, limit: int, window: float) -> int | None:
        """Seconds to wait when `key` has `limit` failures within the window, else None."""
        now = time.monotonic()
        hits = self._recent(key, window, now)
        if len(hits) < limit:
            return None
        return int(hits[-limit] + window - now) + 1

    def add(self, key: str) -> None:
        self._failures.setdefault(key, deque()).append(time.monotonic())

    def clear(self, key: str | None = None) -> None:
        if key is None:
            self._failures.clear()
        else:
            self._failures.pop(key, None)
