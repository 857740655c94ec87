"""HTTP doors of contacts: the list and search, the record, the contact view."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts import preferences, records, service, view
from rapport.core.contacts.provenance import provenance_of
from rapport.core.contacts.render import contacts_out
from rapport.core.contacts.schemas import (
    ContactIn,
    ContactList,
    ContactOut,
    ContactPatch,
    ContactView,
    OrganizationLinkOut,
    OwnerOut,
    ProvenanceIn,
)
from rapport.core.contacts.search.query import MAX_QUERY
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.service import visible_fields
from rapport.core.fields.sorting import MAX_CURSOR
from rapport.core.pagination import MAX_LIMIT
from rapport.hooks import TenantHooks
from rapport.hooks.filters import CONTACT_FILTER_OPT, ContactFilter
from rapport.tenancy.principal import Principal

Filters = Annotated[
    list[str] | None,
    QueryParameter(
        name="filter",
        description="Repeatable ``field:op:value``, e.g. ``custom.shoe_size:gte:40``, "
        "``tags:in:vip,gold``, ``birthday:lt:2000-01-01``, ``analytics.abc:in:A,B``",
    ),
]
SortParam = Annotated[
    str | None,
    QueryParameter(max_length=100, description="``field`` ascending or ``-field`` descending"),
]
Locale = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$",
        max_length=35,
        description="Salutations in this locale (else each contact's language)",
    ),
]
Region = Annotated[
    str | None,
    QueryParameter(
        pattern=r"^[A-Za-z]{2}$",
        description="Country of phone numbers written without +country code (else the "
        "tenant's phone_region)",
    ),
]


def write_options(
    provenance: ProvenanceIn | None, region: str | None, allow_duplicate: bool = False
) -> service.WriteOptions:
    return service.WriteOptions(
        provenance=provenance_of(provenance),
        region=preferences.region_code(region),
        allow_duplicate=allow_duplicate,
    )


async def render_one(
    db: AsyncSession,
    principal: Principal,
    definitions: Sequence[FieldDefinition],
    record: records.ContactRecord,
    locale: str | None,
) -> ContactOut:
    return (await contacts_out(db, principal, definitions, [record], locale))[0]


class ContactController(Controller):
    path = "/api/v1/contacts"
    tags = ["contacts"]

    @get("/", opt={CONTACT_FILTER_OPT: True})
    async def list_contacts(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        contact_filters: NamedDependency[Mapping[str, ContactFilter]],
        q: Annotated[
            str | None,
            QueryParameter(max_length=MAX_QUERY,
                           description="Names, emails, phone numbers (or parts of them), "
                           "organization names; typos tolerated"),
        ] = None,
        cursor: Annotated[str | None, Parameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT)] = 50,
        filters: Filters = None,
        sort: SortParam = None,
        locale: Locale = None,
    ) -> ContactList:
        """Newest first unless ``sort`` is given; pass ``next_cursor`` back as ``cursor``."""
        definitions = await visible_fields(db, principal, plugin_fields, service.ENTITY)
        # Rows with their lists in the list's own statement, shown without ORM entities.
        page = await service.list_rows(
            db, principal, definitions, records.read_shape(), cursor=cursor, limit=limit,
            filters=filters or (), sort=sort, q=q, contributed=contact_filters,
        )
        shown = [records.read(row) for row in page.items]
        return ContactList(
            await contacts_out(db, principal, definitions, shown, locale), page.next_cursor
        )

    @post("/", status_code=201)
    async def create_contact(
        self,
        data: JSONBody[ContactIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        hooks: NamedDependency[TenantHooks],
        room: NamedDependency[Any],
        allow_duplicate: FromQuery[bool] = False,
        region: Region = None,
        locale: Locale = None,
    ) -> ContactOut:
        """Create a contact. 409 with ``candidates`` when the email or phone is known, or
        the name nearly matches someone born the same day — unless ``allow_duplicate``."""
        principal.require_writer()
        # The plan's contacts limit (402 naming it), from the web layer: contacts may not
        # import billing, which counts them. Self-hosted mode sends no statement.
        await room(db, principal.tenant_id, "contacts")
        definitions = await visible_fields(db, principal, plugin_fields, service.ENTITY)
        options = write_options(data.provenance, region, allow_duplicate)
        record = await service.create_contact(
            db, principal, data.values(), definitions, hooks, options
        )
        return await render_one(db, principal, definitions, record, locale)

    @get("/{contact_id:uuid}")
    async def get_contact(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        hooks: NamedDependency[TenantHooks],
        locale: Locale = None,
    ) -> ContactView:
        """The contact's page: the profile, its owner, organizations, and what colleagues
        already did with this person (``activity``)."""
        # The contact, its lists, owner, organizations and activity: one statement.
        record, owner, links, activity = await view.read_page(db, principal, hooks, contact_id)
        definitions = await visible_fields(db, principal, plugin_fields, service.ENTITY)
        out = (await contacts_out(db, principal, definitions, [record], locale))[0]
        return ContactView(
            **{f: getattr(out, f) for f in out.__struct_fields__},
            owner=OwnerOut(owner.user_id, owner.full_name, owner.email, owner.role)
            if owner else None,
            organizations=[
                OrganizationLinkOut(x.id, x.organization_id, x.organization_name, x.role,
                                    x.title, x.since, x.until)
                for x in links
            ],
            activity=activity,
        )

    @patch("/{contact_id:uuid}")
    async def update_contact(
        self,
        contact_id: FromPath[uuid.UUID],
        data: JSONBody[ContactPatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        hooks: NamedDependency[TenantHooks],
        region: Region = None,
        locale: Locale = None,
    ) -> ContactOut:
        """Change only the values sent; ``null`` clears one. Lists (emails, phones, tags,
        addresses) are replaced whole; ``email`` alone sets the primary address."""
        definitions = await visible_fields(db, principal, plugin_fields, service.ENTITY)
        record = await service.update_contact(
            db, principal, contact_id, data.changes(), definitions, hooks,
            write_options(data.provenance, region),
        )
        return await render_one(db, principal, definitions, record, locale)

    @delete("/{contact_id:uuid}", status_code=204)
    async def delete_contact(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> None:
        await service.delete_contact(db, principal, contact_id, hooks)
