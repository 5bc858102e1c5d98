"""Optimistic concurrency: `version` is the ETag; a stale If-Match changes nothing."""

from typing import Protocol

from app.core.errors import PreconditionFailed


class HasVersion(Protocol):
    version: int


def check_version(record: HasVersion, if_match: int | None) -> None:
    if if_match is not None and if_match != record.version:
        raise PreconditionFailed(
            f"The record has changed (version {record.version}, you sent {if_match}): reload it and try again"
        )
