"""Segment shapes at the edge. ``definition`` is checked by ``compiler`` (422 naming the
node's path), not by the struct: its grammar is a tree of one-key objects."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec

from rapport.core.contacts.schemas import ContactOut
from rapport.core.segments.models import Segment
from rapport.fieldtypes import Name, Patch

Description = Annotated[str, msgspec.Meta(max_length=10_000, pattern=r"^[^\x00]*$")]
Definition = Annotated[
    dict[str, Any],
    msgspec.Meta(
        description="One condition: {\"all\": [...]}, {\"any\": [...]}, {\"not\": {...}}, "
        "{\"filter\": \"field:op:value\"} (the contact list's filters), "
        "{\"purchases\": {within_days, min_count, max_count, min_sum, currency, product, "
        "category}} or "
        "{\"interactions\": {kind, channel, within_days, min_count}} or "
        "{\"consent\": {channel, topic}} (may be contacted now), "
        "{\"member_of\": {relationship | kind | organization, role}}, "
        "{\"segment\": \"<id>\"} (another saved segment) or a contributed condition "
        "(GET /api/v1/segments/conditions); see docs/segments.md",
    ),
]


Kind = Annotated[
    Literal["dynamic", "static"],
    msgspec.Meta(description="dynamic: evaluated on every read; static: a snapshot of the "
                 "members taken now (re-taken with POST /{id}/snapshot)"),
]


class SegmentIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    definition: Definition
    description: Description | None = None
    kind: Kind = "dynamic"

    def values(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in self.__struct_fields__}


class SegmentPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType | None = msgspec.UNSET
    definition: Definition | msgspec.UnsetType = msgspec.UNSET


class DefinitionIn(msgspec.Struct, forbid_unknown_fields=True):
    definition: Definition


class SegmentCount(msgspec.Struct):
    count: int


class SegmentOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    description: str | None
    definition: dict[str, Any]
    kind: str
    # Static segments: when the member list was taken (null for dynamic ones).
    snapshot_at: datetime | None
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    # Contacts in it now — a dynamic segment's matches, a static one's live snapshot
    # members (GET of one segment; null in lists, which do not count).
    count: int | None

    @classmethod
    def of(cls, segment: Segment, count: int | None = None) -> SegmentOut:
        return cls(
            id=segment.id,
            name=segment.name,
            description=segment.description,
            definition=segment.definition,
            kind=segment.kind,
            snapshot_at=segment.snapshot_at,
            created_by=segment.created_by,
            created_at=segment.created_at,
            updated_at=segment.updated_at,
            count=count,
        )


class SegmentList(msgspec.Struct):
    items: list[SegmentOut]
    next_cursor: str | None


class SegmentContactList(msgspec.Struct):
    """The contact list's page (same items, same cursors); ``count`` with ``?count=true``."""

    items: list[ContactOut]
    next_cursor: str | None
    count: int | None = None


class ConditionOut(msgspec.Struct):
    """A contributed condition: its node key, a title, and the JSON schema of its value."""

    name: str
    title: str
    description: str
    owner: str
    value_schema: dict[str, Any]


class ConditionList(msgspec.Struct):
    items: list[ConditionOut]
