"""Team shapes at the edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from rapport.fieldtypes import Patch

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[^\x00]*\S[^\x00]*$",
                                   description="Unique in the organization (case ignored)")]
MemberIds = Annotated[list[uuid.UUID], msgspec.Meta(
    max_length=500, description="Members (their membership ids, as GET /api/v1/members "
    "lists them); accepted members of the organization")]


class TeamIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    # A member of the organization; added to the team's members if not among them.
    lead_id: uuid.UUID | None = None
    member_ids: MemberIds = msgspec.field(default_factory=list)


class TeamPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    # null: no lead.
    lead_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    # The whole list of members (replaces it); the lead stays a member.
    member_ids: MemberIds | msgspec.UnsetType = msgspec.UNSET


class TeamMemberIn(msgspec.Struct, forbid_unknown_fields=True):
    member_id: uuid.UUID


class TeamMemberOut(msgspec.Struct):
    member_id: uuid.UUID  # the membership's id
    user_id: uuid.UUID
    name: str
    role: str


class TeamOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    lead_id: uuid.UUID | None
    members: list[TeamMemberOut]
    created_at: datetime
    updated_at: datetime


class TeamList(msgspec.Struct):
    items: list[TeamOut]
    next_cursor: str | None
