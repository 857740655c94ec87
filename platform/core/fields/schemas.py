"""Field definition shapes at the edge."""

from __future__ import annotations

import msgspec

from rapport.core.fields.definitions import FieldDefinition
from rapport.fieldtypes import Patch
from rapport.fieldtypes import ShortText as Short


class FieldIn(msgspec.Struct, forbid_unknown_fields=True):
    key: Short
    entity: Short
    type: Short
    label: Short
    options: list[Short] | None = None
    required: bool = False
    indexed: bool = False


class FieldPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    label: Short | msgspec.UnsetType = msgspec.UNSET
    options: list[Short] | msgspec.UnsetType | None = msgspec.UNSET
    required: bool | msgspec.UnsetType = msgspec.UNSET
    indexed: bool | msgspec.UnsetType = msgspec.UNSET


class FieldOut(msgspec.Struct):
    key: str
    full_key: str
    owner: str
    entity: str
    type: str
    label: str
    options: list[str]
    required: bool
    indexed: bool
    read_only: bool

    @classmethod
    def of(cls, d: FieldDefinition) -> FieldOut:
        return cls(
            key=d.key,
            full_key=d.full_key,
            owner=d.owner,
            entity=d.entity,
            type=d.type.value,
            label=d.label,
            options=list(d.options),
            required=d.required,
            indexed=d.indexed,
            read_only=d.read_only,
        )


class FieldList(msgspec.Struct):
    items: list[FieldOut]
