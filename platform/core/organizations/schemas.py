"""Organization and link shapes at the edge."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

import msgspec

from rapport.core.contacts.schemas import ExternalId, ProvenanceIn
from rapport.fieldtypes import Name, Patch, ShortText

_NO_NUL = r"^[^\x00]*$"
Website = Annotated[str, msgspec.Meta(max_length=2048, pattern=_NO_NUL)]
Notes = Annotated[str, msgspec.Meta(max_length=20_000, pattern=_NO_NUL)]
Role = Annotated[str, msgspec.Meta(max_length=100, pattern=_NO_NUL)]


class OrganizationIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    website: Website | None = None
    industry: ShortText | None = None
    notes: Notes | None = None
    external_id: ExternalId | None = None


class OrganizationPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    website: Website | msgspec.UnsetType | None = msgspec.UNSET
    industry: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    notes: Notes | msgspec.UnsetType | None = msgspec.UNSET
    external_id: ExternalId | msgspec.UnsetType | None = msgspec.UNSET


class OrganizationOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    website: str | None
    industry: str | None
    notes: str | None
    external_id: str | None
    created_at: datetime
    updated_at: datetime


class OrganizationList(msgspec.Struct):
    items: list[OrganizationOut]
    next_cursor: str | None


class LinkIn(msgspec.Struct, forbid_unknown_fields=True):
    organization_id: uuid.UUID
    role: Role | None = None
    title: ShortText | None = None
    since: date | None = None
    until: date | None = None
    provenance: ProvenanceIn | None = None


class LinkPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    qualifiers = frozenset({"provenance"})

    role: Role | msgspec.UnsetType | None = msgspec.UNSET
    title: ShortText | msgspec.UnsetType | None = msgspec.UNSET
    since: date | msgspec.UnsetType | None = msgspec.UNSET
    until: date | msgspec.UnsetType | None = msgspec.UNSET
    provenance: ProvenanceIn | None = None


class LinkOut(msgspec.Struct):
    id: uuid.UUID
    contact_id: uuid.UUID
    organization_id: uuid.UUID
    organization_name: str
    role: str | None
    title: str | None
    since: date | None
    until: date | None


class LinkList(msgspec.Struct):
    items: list[LinkOut]


class PersonOut(msgspec.Struct):
    """A contact at an organization."""

    link_id: uuid.UUID
    contact_id: uuid.UUID
    display_name: str
    email: str | None
    role: str | None
    title: str | None
    since: date | None
    until: date | None


class PeopleList(msgspec.Struct):
    items: list[PersonOut]
    next_cursor: str | None
