"""Contact shapes at the edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from rapport.core.contacts.models import Contact
from rapport.fieldtypes import ShortText as EmailField
from rapport.fieldtypes import ShortText as NameField


class ContactIn(msgspec.Struct):
    given_name: NameField | None = None
    family_name: NameField | None = None
    email: EmailField | None = None
    # Custom field values by full key; validated against the tenant's visible definitions.
    fields: dict[str, Any] | None = None


class ContactPatch(msgspec.Struct):
    given_name: NameField | msgspec.UnsetType | None = msgspec.UNSET
    family_name: NameField | msgspec.UnsetType | None = msgspec.UNSET
    email: EmailField | msgspec.UnsetType | None = msgspec.UNSET
    # Only the keys sent change; a key set to null clears that field.
    fields: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET

    def changes(self) -> dict[str, Any]:
        return {
            f: getattr(self, f)
            for f in self.__struct_fields__
            if getattr(self, f) is not msgspec.UNSET
        }


class ContactOut(msgspec.Struct):
    id: uuid.UUID
    given_name: str | None
    family_name: str | None
    email: str | None
    fields: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, c: Contact, fields: dict[str, Any]) -> ContactOut:
        """``fields`` is what the caller may see (``contacts.service.shown_fields``)."""
        return cls(c.id, c.given_name, c.family_name, c.email, fields, c.created_at, c.updated_at)


class ContactList(msgspec.Struct):
    items: list[ContactOut]
    next_cursor: str | None
