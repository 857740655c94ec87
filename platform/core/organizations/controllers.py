"""HTTP doors of organizations and of a contact's links to them."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts.models import Organization
from rapport.core.contacts.provenance import provenance_of
from rapport.core.contacts.service import get_contact
from rapport.core.contacts.view import organization_links
from rapport.core.organizations import links, service
from rapport.core.organizations.schemas import (
    LinkIn,
    LinkList,
    LinkOut,
    LinkPatch,
    OrganizationIn,
    OrganizationList,
    OrganizationOut,
    OrganizationPatch,
    PeopleList,
    PersonOut,
)
from rapport.core.pagination import MAX_LIMIT
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal

Cursor = Annotated[str | None, QueryParameter(max_length=1024)]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)]


def _out(o: Organization) -> OrganizationOut:
    return OrganizationOut(o.id, o.name, o.website, o.industry, o.notes, o.external_id,
                           o.created_at, o.updated_at)


class OrganizationController(Controller):
    path = "/api/v1/organizations"
    tags = ["organizations"]

    @get("/")
    async def list_organizations(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        q: Annotated[str | None, QueryParameter(max_length=200)] = None,
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> OrganizationList:
        """By name; ``q`` matches the start of the name (case and accents ignored)."""
        items, next_cursor = await service.list_organizations(
            db, principal, q=q, cursor=cursor, limit=limit
        )
        return OrganizationList([_out(o) for o in items], next_cursor)

    @post("/", status_code=201)
    async def create_organization(
        self,
        data: JSONBody[OrganizationIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> OrganizationOut:
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        return _out(await service.create_organization(db, principal, values))

    @get("/{organization_id:uuid}")
    async def get_organization(
        self,
        organization_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> OrganizationOut:
        return _out(await service.get_organization(db, principal, organization_id))

    @patch("/{organization_id:uuid}")
    async def update_organization(
        self,
        organization_id: FromPath[uuid.UUID],
        data: JSONBody[OrganizationPatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> OrganizationOut:
        org = await service.update_organization(db, principal, organization_id, data.changes())
        return _out(org)

    @delete("/{organization_id:uuid}", status_code=204)
    async def delete_organization(
        self,
        organization_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """Removes the organization and every contact's link to it (the contacts stay)."""
        await service.delete_organization(db, principal, organization_id)

    @get("/{organization_id:uuid}/contacts")
    async def list_people(
        self,
        organization_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> PeopleList:
        """The contacts linked to this organization."""
        await service.get_organization(db, principal, organization_id)
        rows, next_cursor = await links.people(
            db, principal, organization_id, cursor=cursor, limit=limit
        )
        return PeopleList(
            [PersonOut(p.link_id, p.contact_id, p.display_name, p.email, p.role, p.title,
                       p.since, p.until) for p in rows],
            next_cursor,
        )


async def _link_out(db: AsyncSession, principal: Principal, contact_id: uuid.UUID,
                    link_id: uuid.UUID) -> LinkOut:
    found = next(x for x in await organization_links(db, principal, contact_id) if x.id == link_id)
    return LinkOut(found.id, contact_id, found.organization_id, found.organization_name,
                   found.role, found.title, found.since, found.until)


class ContactOrganizationController(Controller):
    path = "/api/v1/contacts/{contact_id:uuid}/organizations"
    tags = ["organizations"]

    @get("/")
    async def list_links(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> LinkList:
        await get_contact(db, principal, contact_id)
        return LinkList([
            LinkOut(x.id, contact_id, x.organization_id, x.organization_name, x.role, x.title,
                    x.since, x.until)
            for x in await organization_links(db, principal, contact_id)
        ])

    @post("/", status_code=201)
    async def add_link(
        self,
        contact_id: FromPath[uuid.UUID],
        data: JSONBody[LinkIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> LinkOut:
        """Link the contact to an organization (one link per pair)."""
        values = {"role": data.role, "title": data.title, "since": data.since, "until": data.until}
        link = await links.add_link(db, principal, contact_id, data.organization_id, values,
                                    provenance_of(data.provenance), hooks)
        return await _link_out(db, principal, contact_id, link.id)

    @patch("/{link_id:uuid}")
    async def update_link(
        self,
        contact_id: FromPath[uuid.UUID],
        link_id: FromPath[uuid.UUID],
        data: JSONBody[LinkPatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> LinkOut:
        await links.update_link(db, principal, contact_id, link_id, data.changes(),
                                provenance_of(data.provenance), hooks)
        return await _link_out(db, principal, contact_id, link_id)

    @delete("/{link_id:uuid}", status_code=204)
    async def remove_link(
        self,
        contact_id: FromPath[uuid.UUID],
        link_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> None:
        await links.remove_link(db, principal, contact_id, link_id, provenance_of(None), hooks)
