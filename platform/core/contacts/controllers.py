"""HTTP doors of contacts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts import service
from rapport.core.contacts.models import Contact
from rapport.core.contacts.schemas import ContactIn, ContactList, ContactOut, ContactPatch
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.service import visible_fields
from rapport.core.fields.sorting import MAX_CURSOR
from rapport.core.pagination import MAX_LIMIT
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal

Filters = Annotated[
    list[str] | None,
    QueryParameter(
        name="filter",
        description="Repeatable ``field:op:value``, e.g. ``custom.shoe_size:gte:40``",
    ),
]
SortParam = Annotated[
    str | None,
    QueryParameter(max_length=100, description="``field`` ascending or ``-field`` descending"),
]


async def _out(
    db: AsyncSession,
    principal: Principal,
    definitions: Sequence[FieldDefinition],
    contacts: Sequence[Contact],
) -> list[ContactOut]:
    shown = await service.shown_fields(db, principal, definitions, contacts)
    return [ContactOut.of(c, f) for c, f in zip(contacts, shown, strict=True)]


class ContactController(Controller):
    path = "/api/v1/contacts"
    tags = ["contacts"]

    @get("/")
    async def list_contacts(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        cursor: Annotated[str | None, Parameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT)] = 50,
        filters: Filters = None,
        sort: SortParam = None,
    ) -> ContactList:
        """Newest first unless ``sort`` is given; pass ``next_cursor`` back as ``cursor``."""
        definitions = await visible_fields(db, principal, plugin_fields, service.ENTITY)
        page = await service.list_contacts(
            db, principal, definitions, cursor=cursor, limit=limit, filters=filters or (),
            sort=sort,
        )
        return ContactList(await _out(db, principal, definitions, page.items), page.next_cursor)

    @post("/", status_code=201)
    async def create_contact(
        self,
        data: JSONBody[ContactIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        hooks: NamedDependency[TenantHooks],
    ) -> ContactOut:
        """Create a contact in the caller's tenant."""
        values = {
            "given_name": data.given_name,
            "family_name": data.family_name,
            "email": data.email,
            "fields": data.fields,
        }
        definitions = await visible_fields(db, principal, plugin_fields, service.ENTITY)
        contact = await service.create_contact(db, principal, values, definitions, hooks)
        return (await _out(db, principal, definitions, [contact]))[0]

    @get("/{contact_id:uuid}")
    async def get_contact(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    ) -> ContactOut:
        contact = await service.get_contact(db, principal, contact_id)
        definitions = await visible_fields(db, principal, plugin_fields, service.ENTITY)
        return (await _out(db, principal, definitions, [contact]))[0]

    @patch("/{contact_id:uuid}")
    async def update_contact(
        self,
        contact_id: FromPath[uuid.UUID],
        data: JSONBody[ContactPatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        hooks: NamedDependency[TenantHooks],
    ) -> ContactOut:
        """Change only the attributes and fields sent; ``null`` clears one."""
        definitions = await visible_fields(db, principal, plugin_fields, service.ENTITY)
        contact = await service.update_contact(
            db, principal, contact_id, data.changes(), definitions, hooks
        )
        return (await _out(db, principal, definitions, [contact]))[0]

    @delete("/{contact_id:uuid}", status_code=204)
    async def delete_contact(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> None:
        await service.delete_contact(db, principal, contact_id, hooks)
