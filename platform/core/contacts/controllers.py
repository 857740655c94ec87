"""HTTP doors of contacts."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, Parameter
from rapport.core.contacts import service
from rapport.core.contacts.schemas import ContactIn, ContactList, ContactOut, ContactPatch
from rapport.core.pagination import MAX_LIMIT
from rapport.tenancy.principal import Principal
from sqlalchemy.ext.asyncio import AsyncSession


class ContactController(Controller):
    path = "/api/v1/contacts"
    tags = ["contacts"]

    @get("/")
    async def list_contacts(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        cursor: Annotated[str | None, Parameter(max_length=64)] = None,
        limit: Annotated[int, Parameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> ContactList:
        """Newest first; pass ``next_cursor`` back as ``cursor`` for the next page."""
        page = await service.list_contacts(db, principal, cursor=cursor, limit=limit)
        return ContactList([ContactOut.of(c) for c in page.items], page.next_cursor)

    @post("/", status_code=201)
    async def create_contact(
        self,
        data: JSONBody[ContactIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> ContactOut:
        """Create a contact in the caller's tenant."""
        values = {
            "given_name": data.given_name,
            "family_name": data.family_name,
            "email": data.email,
        }
        return ContactOut.of(await service.create_contact(db, principal, values))

    @get("/{contact_id:uuid}")
    async def get_contact(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> ContactOut:
        return ContactOut.of(await service.get_contact(db, principal, contact_id))

    @patch("/{contact_id:uuid}")
    async def update_contact(
        self,
        contact_id: FromPath[uuid.UUID],
        data: JSONBody[ContactPatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> ContactOut:
        """Change only the fields sent; ``null`` clears a field."""
        return ContactOut.of(
            await service.update_contact(db, principal, contact_id, data.changes())
        )

    @delete("/{contact_id:uuid}", status_code=204)
    async def delete_contact(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        await service.delete_contact(db, principal, contact_id)
