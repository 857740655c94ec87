"""HTTP doors of relationships: ``/api/v1/relationships`` and a contact's related people."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts.relationships import service
from rapport.core.contacts.relationships.schemas import (
    Kind,
    MemberOut,
    MemberRoleIn,
    RelatedList,
    RelatedOut,
    RelationshipIn,
    RelationshipList,
    RelationshipOut,
    RelationshipPatch,
)
from rapport.core.contacts.service import get_contact
from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.tenancy.principal import Principal


def _out(view: service.RelationshipView) -> RelationshipOut:
    r = view.relationship
    members = [MemberOut(m.contact_id, m.display_name, m.email, m.role) for m in view.members]
    return RelationshipOut(r.id, r.kind, r.name, members, r.created_at, r.updated_at)


class RelationshipController(Controller):
    path = "/api/v1/relationships"
    tags = ["relationships"]

    @get("/")
    async def list_relationships(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        contact_id: FromQuery[uuid.UUID | None] = None,
        kind: FromQuery[Kind | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> RelationshipList:
        """Newest first; ``contact_id`` lists the relationships that contact is in."""
        views, next_cursor = await service.list_relationships(
            db, principal, contact_id=contact_id, kind=kind, cursor=cursor, limit=limit
        )
        return RelationshipList([_out(v) for v in views], next_cursor)

    @post("/", status_code=201)
    async def create_relationship(
        self,
        data: JSONBody[RelationshipIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> RelationshipOut:
        """A family, colleagues or a group, with at least one member."""
        view = await service.create_relationship(
            db, principal, data.kind, data.name, [(m.contact_id, m.role) for m in data.members]
        )
        return _out(view)

    @get("/{relationship_id:uuid}")
    async def get_relationship(
        self,
        relationship_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> RelationshipOut:
        return _out(await service.get_relationship(db, principal, relationship_id))

    @patch("/{relationship_id:uuid}")
    async def update_relationship(
        self,
        relationship_id: FromPath[uuid.UUID],
        data: JSONBody[RelationshipPatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> RelationshipOut:
        return _out(
            await service.update_relationship(db, principal, relationship_id, data.changes())
        )

    @delete("/{relationship_id:uuid}", status_code=204)
    async def delete_relationship(
        self,
        relationship_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        await service.delete_relationship(db, principal, relationship_id)

    @put("/{relationship_id:uuid}/members/{contact_id:uuid}")
    async def put_member(
        self,
        relationship_id: FromPath[uuid.UUID],
        contact_id: FromPath[uuid.UUID],
        data: JSONBody[MemberRoleIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> RelationshipOut:
        """Add the contact, or change their role."""
        view = await service.put_member(db, principal, relationship_id, contact_id, data.role)
        return _out(view)

    @delete("/{relationship_id:uuid}/members/{contact_id:uuid}", status_code=204)
    async def remove_member(
        self,
        relationship_id: FromPath[uuid.UUID],
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        await service.remove_member(db, principal, relationship_id, contact_id)


class RelatedController(Controller):
    path = "/api/v1/contacts/{contact_id:uuid}/related"
    tags = ["relationships"]

    @get("/")
    async def related(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        kind: FromQuery[Kind | None] = None,
    ) -> RelatedList:
        """The other members of this contact's relationships ("offer what this customer
        liked to the others in their group")."""
        await get_contact(db, principal, contact_id)  # 404 outside the tenant
        rows = await service.related(db, principal, contact_id, kind)
        return RelatedList([
            RelatedOut(r.contact_id, r.display_name, r.email, r.role, r.relationship_id,
                       r.kind, r.name)
            for r in rows
        ])
