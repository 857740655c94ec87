"""Relationship shapes at the edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec

from rapport.fieldtypes import Patch, ShortText

Kind = Literal["family", "colleagues", "group", "other"]
Role = Annotated[str, msgspec.Meta(max_length=100, pattern=r"^[^\x00]*$")]
MAX_MEMBERS = 500


class MemberIn(msgspec.Struct, forbid_unknown_fields=True):
    # Its OpenAPI component's name: another area has a struct of the same name.
    __schema_name__ = "RelationshipMemberIn"
    contact_id: uuid.UUID
    role: Role | None = None


class RelationshipIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: Kind
    members: Annotated[list[MemberIn], msgspec.Meta(min_length=1, max_length=MAX_MEMBERS)]
    name: ShortText | None = None


class RelationshipPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    kind: Kind | msgspec.UnsetType = msgspec.UNSET
    name: ShortText | msgspec.UnsetType | None = msgspec.UNSET


class MemberRoleIn(msgspec.Struct, forbid_unknown_fields=True):
    role: Role | None = None


class MemberOut(msgspec.Struct):
    # Its OpenAPI component's name: another area has a struct of the same name.
    __schema_name__ = "RelationshipMemberOut"
    contact_id: uuid.UUID
    display_name: str
    email: str | None
    role: str | None


class RelationshipOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    name: str | None
    members: list[MemberOut]
    created_at: datetime
    updated_at: datetime


class RelationshipList(msgspec.Struct):
    items: list[RelationshipOut]
    next_cursor: str | None


class RelatedOut(msgspec.Struct):
    contact_id: uuid.UUID
    display_name: str
    email: str | None
    role: str | None
    relationship_id: uuid.UUID
    kind: str
    name: str | None


class RelatedList(msgspec.Struct):
    items: list[RelatedOut]
