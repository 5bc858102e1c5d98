"""A learning material: a guide published as a link (a document, a course of the national "Bình dân học
vụ số" platform, a short video) with a summary a member reads on the phone. Nothing is uploaded: a
document is a URL, and only http and https links are kept, so no stored link can run script in the app
(`javascript:`), read the phone's files (`file:`) or hide a user name in front of the real site."""

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.activities.schemas import ActivityKind
from app.core.feed import FeedPage, Tombstone
from app.core.fields import Name, text
from app.core.pagination import Page

SCHEMES = ("http", "https")


class MaterialKind(StrEnum):
    document = "document"  # tài liệu: a document or a web page
    course = "course"  # khóa học: a course of binhdanhocvuso.gov.vn or another learning platform
    video = "video"  # video ngắn: a short video by its link


def _web_link(value: str) -> str:
    """An absolute http(s) link to a named site, without spaces or credentials."""
    if any(c.isspace() for c in value):
        raise ValueError("must not contain spaces (encode them as %20)")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - a port out of range raises here
    except ValueError as exc:
        raise ValueError(f"is not a valid link: {exc}") from None
    if parts.scheme.lower() not in SCHEMES:
        raise ValueError("must be a web link starting with https:// or http://")
    if not parts.hostname:
        raise ValueError("must name a web site, as https://binhdanhocvuso.gov.vn/…")
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not carry a user name or password before the site's name")
    return value


WebLink = Annotated[
    text(2000, 1),
    AfterValidator(_web_link),
    Field(description="An http or https link, such as https://binhdanhocvuso.gov.vn/…"),
]
Summary = Annotated[
    text(4000, multiline=True),
    Field(description="What it teaches, or its steps: read on the phone, offline once opened"),
]
Topic = Annotated[ActivityKind, Field(description="The kind of help it teaches, if one")]


class MaterialCreate(BaseModel):
    """A guide published at a commune or a province: read by everyone in its area and below it."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    id: uuid.UUID | None = None
    unit_id: uuid.UUID = Field(description="The commune or province publishing it")
    kind: MaterialKind
    title: Name
    url: WebLink
    summary: Summary | None = None
    topic: Topic | None = None


class MaterialUpdate(BaseModel):
    """Any subset of fields."""

    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    unit_id: uuid.UUID | None = None
    kind: MaterialKind | None = None
    title: Name | None = None
    url: WebLink | None = None
    summary: Summary | None = None
    topic: Topic | None = None


class MaterialRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    unit_id: uuid.UUID
    unit_name: str = Field(default="", description="The commune or province that published it")
    kind: MaterialKind
    title: str
    url: str
    summary: str | None
    topic: ActivityKind | None
    version: int
    created_at: datetime = Field(description="When it was published")
    updated_at: datetime


class MaterialList(Page[MaterialRead]):
    pass


class MaterialFeed(FeedPage):
    """Changes since a moment (`?updated_since=` or `?cursor=`): records, or tombstones for deletions."""

    items: list[MaterialRead | Tombstone]
