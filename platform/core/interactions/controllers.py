"""HTTP doors of interactions, and of a contact's colleague section."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts.service import get_contact
from rapport.core.interactions import service
from rapport.core.interactions.colleagues import colleagues
from rapport.core.interactions.models import Kind
from rapport.core.interactions.schemas import (
    Colleagues,
    InteractionIn,
    InteractionList,
    InteractionOut,
    InteractionPatch,
)
from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal


class InteractionController(Controller):
    path = "/api/v1/interactions"
    tags = ["interactions"]

    @post("/", status_code=201)
    async def log_interaction(
        self,
        data: JSONBody[InteractionIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> InteractionOut:
        """Log a call, email, meeting, visit, message, purchase, ad impression, survey or
        note with a contact. ``occurred_at`` defaults to now, ``member_id`` to the caller."""
        return InteractionOut.of(await service.log_interaction(db, principal, data.values(), hooks))

    @get("/")
    async def list_interactions(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        contact_id: FromQuery[uuid.UUID | None] = None,
        member_id: FromQuery[uuid.UUID | None] = None,
        kind: Annotated[
            list[Kind] | None, QueryParameter(description="Repeatable: any of these kinds")
        ] = None,
        since: Annotated[
            datetime | None, QueryParameter(description="From this time on (inclusive)")
        ] = None,
        until: Annotated[
            datetime | None, QueryParameter(description="Before this time (exclusive)")
        ] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> InteractionList:
        """Newest first; pass ``next_cursor`` back as ``cursor`` for the next page."""
        page = await service.list_interactions(
            db,
            principal,
            contact_id=contact_id,
            member_id=member_id,
            kinds=[k.value for k in kind or ()],
            since=since,
            until=until,
            cursor=cursor,
            limit=limit,
        )
        return InteractionList([InteractionOut.of(i) for i in page.items], page.next_cursor)

    @get("/{interaction_id:uuid}")
    async def get_interaction(
        self,
        interaction_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> InteractionOut:
        return InteractionOut.of(await service.get_interaction(db, principal, interaction_id))

    @patch("/{interaction_id:uuid}")
    async def update_interaction(
        self,
        interaction_id: FromPath[uuid.UUID],
        data: JSONBody[InteractionPatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> InteractionOut:
        """The author, the member it is attributed to, or an owner/admin; ``null`` clears."""
        return InteractionOut.of(
            await service.update_interaction(db, principal, interaction_id, data.changes())
        )

    @delete("/{interaction_id:uuid}", status_code=204)
    async def delete_interaction(
        self,
        interaction_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        await service.delete_interaction(db, principal, interaction_id)


class ColleaguesController(Controller):
    path = "/api/v1/contacts/{contact_id:uuid}/colleagues"
    tags = ["contacts"]

    @get("/")
    async def get_colleagues(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> Colleagues:
        """Who here has worked with this person: each member's latest interaction, newest
        first, and the contact's interaction count."""
        await get_contact(db, principal, contact_id)  # 404 outside the tenant
        return await colleagues(db, principal.tenant_id, contact_id)
