"""What a board or a grouped list can be grouped by: any single-choice ("select") field of
contacts or deals — the owner, a custom or module field of type "one of a list" (of the
contact or of the deal), and the deal stage (the pipeline board, whose moves go through
the workflow engine instead).

A grouping knows its columns (each option, then "no value"), the list filter that finds a
column's records (the API's own filter grammar, or the deal service's owner filter) and the
PATCH body that puts a record into a column — the API's own body, checked by its struct."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.contacts.columns import owners
from rapport.console.i18n import N_
from rapport.console.pickers import member_names
from rapport.core.contacts import service as contacts
from rapport.core.deals import service as deals
from rapport.core.fields.definitions import FieldDefinition, FieldType
from rapport.core.fields.service import visible_fields
from rapport.errors import FieldError, invalid_many
from rapport.tenancy.principal import Principal

ENTITIES = {"contacts": N_("Contacts"), "deals": N_("Deals")}
NONE = ""  # the column of records without a value
OWNER = "owner"
STAGE = "stage"


@dataclass(frozen=True)
class Column:
    value: str  # NONE for "no value"
    label: str
    translate: bool = False  # a label of ours (translated) rather than the tenant's words


@dataclass(frozen=True)
class Grouping:
    entity: str  # "contacts" or "deals"
    key: str  # "owner", "stage" or a field's full key
    label: str
    columns: tuple[Column, ...]
    translate_label: bool = False

    def body(self, value: str) -> dict[str, Any]:
        """The PATCH body that puts a record into the column ``value``."""
        if value not in {c.value for c in self.columns}:
            raise invalid_many([FieldError("value", "is not one of this board's columns")])
        if self.key == OWNER:
            return {"owner_id": value or None}
        return {"fields": {self.key: value or None}}

    def contact_filter(self, value: str) -> str:
        """The list's filter for the column ``value`` (the API's grammar; contacts and
        deals read it alike)."""
        name = "owner_id" if self.key == OWNER else self.key
        return f"{name}:is_empty:true" if value == NONE else f"{name}:eq:{value}"


def _choices(definitions: Sequence[FieldDefinition]) -> list[FieldDefinition]:
    return [d for d in definitions
            if d.type == FieldType.ENUM and not d.read_only and not d.computed]


async def contact_fields(
    db: AsyncSession, principal: Principal, plugin_fields: Sequence[FieldDefinition]
) -> list[FieldDefinition]:
    return list(await visible_fields(db, principal, plugin_fields, contacts.ENTITY))


async def entity_fields(
    db: AsyncSession, principal: Principal, plugin_fields: Sequence[FieldDefinition],
    entity: str,
) -> list[FieldDefinition]:
    """The custom fields of the board's records (contacts' or deals')."""
    if entity == "deals":
        return list(await deals.deal_fields(db, principal, plugin_fields))
    return await contact_fields(db, principal, plugin_fields)


async def choices(
    db: AsyncSession, principal: Principal, entity: str, definitions: Sequence[FieldDefinition]
) -> list[tuple[str, str, bool]]:
    """(key, label, translate) of every field ``entity`` can be grouped by."""
    fields = [(d.full_key, d.label, False) for d in _choices(definitions)]
    if entity == "deals":
        return [(STAGE, N_("Stage"), True), (OWNER, N_("Owner"), True), *fields]
    return [(OWNER, N_("Owner"), True), *fields]


async def grouping(
    db: AsyncSession, principal: Principal, entity: str, key: str,
    definitions: Sequence[FieldDefinition],
) -> Grouping:
    """The grouping of ``entity`` by ``key``; an unknown one is a 422 naming ``by``."""
    if entity not in ENTITIES:
        raise invalid_many([FieldError("entity", "must be contacts or deals")])
    if key == OWNER:
        names: dict[uuid.UUID, str] = (
            await owners(db, principal) if entity == "contacts"
            else await member_names(db, principal))
        people = sorted(names.items(), key=lambda item: item[1].casefold())
        return Grouping(entity, OWNER, N_("Owner"), (
            *(Column(str(i), name) for i, name in people),
            Column(NONE, N_("No owner"), translate=True)), translate_label=True)
    found = next((d for d in _choices(definitions) if d.full_key == key), None)
    if found is not None:
        return Grouping(entity, key, found.label, (
            *(Column(o, o) for o in found.options),
            Column(NONE, N_("No value"), translate=True)))
    raise invalid_many([FieldError("by", "must be a single-choice field of these records")])
