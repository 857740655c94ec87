"""HTTP doors of deals: CRUD, the pipeline move, filtered cursor lists."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter, SkipValidation
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.deals import service
from rapport.core.deals.schemas import DealIn, DealList, DealOut, DealPatch, TransitionIn
from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.core.workflows import Workflow
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal

# Definitions hold callables (actions, field loaders): pass them through untouched.
Definitions = SkipValidation[Mapping[str, Workflow]]
Cursor = Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)]


class DealController(Controller):
    path = "/api/v1/deals"
    tags = ["deals"]

    @get("/")
    async def list_deals(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[Definitions],
        stage: Annotated[str | None, QueryParameter(max_length=64)] = None,
        owner: Annotated[
            str | None, QueryParameter(max_length=36, description="``me`` or a member id")
        ] = None,
        contact_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> DealList:
        """Newest first; pass ``next_cursor`` back as ``cursor``."""
        labels = await service.stage_labels(db, principal, workflow_definitions)
        page = await service.list_deals(
            db, principal, stages=labels, stage=stage, owner=owner, contact_id=contact_id,
            cursor=cursor, limit=limit,
        )
        return DealList([DealOut.of(d, labels) for d in page.items], page.next_cursor)

    @post("/", status_code=201)
    async def create_deal(
        self,
        data: JSONBody[DealIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
        workflow_definitions: NamedDependency[Definitions],
    ) -> DealOut:
        """A deal in the pipeline's first stage; with ``lines``, the amount is their sum."""
        deal = await service.create_deal(db, principal, data.values(), hooks)
        return DealOut.of(deal, await service.stage_labels(db, principal, workflow_definitions))

    @get("/{deal_id:uuid}")
    async def get_deal(
        self,
        deal_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[Definitions],
    ) -> DealOut:
        deal = await service.get_deal(db, principal, deal_id)
        return DealOut.of(deal, await service.stage_labels(db, principal, workflow_definitions))

    @patch("/{deal_id:uuid}")
    async def update_deal(
        self,
        deal_id: FromPath[uuid.UUID],
        data: JSONBody[DealPatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
        workflow_definitions: NamedDependency[Definitions],
    ) -> DealOut:
        """Change only what is sent; ``null`` clears a value. The stage moves by transition."""
        deal = await service.update_deal(db, principal, deal_id, data.changes(), hooks)
        return DealOut.of(deal, await service.stage_labels(db, principal, workflow_definitions))

    @delete("/{deal_id:uuid}", status_code=204)
    async def delete_deal(
        self,
        deal_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> None:
        await service.delete_deal(db, principal, deal_id, hooks)

    @post("/{deal_id:uuid}/transitions/{name:str}", status_code=200)
    async def move_deal(
        self,
        deal_id: FromPath[uuid.UUID],
        name: FromPath[str],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
        workflow_definitions: NamedDependency[Definitions],
        data: JSONBody[TransitionIn | None] = None,
    ) -> DealOut:
        """Fire a pipeline transition (``qualify``, ``win``, ``move_to_<added stage>``…):
        409 when the deal's stage or a condition forbids it, 403 for viewers."""
        deal = await service.move_deal(
            db, principal, workflow_definitions, deal_id, name,
            note=data.note if data is not None else None, hooks=hooks,
        )
        return DealOut.of(deal, await service.stage_labels(db, principal, workflow_definitions))
