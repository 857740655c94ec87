"""HTTP doors of deals: CRUD, stage moves and moves between pipelines, filtered cursor
lists; and the organization's pipelines (``/api/v1/pipelines``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Annotated

from litestar import Controller, delete, get, patch, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter, SkipValidation
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.deals import pipelines, service
from rapport.core.deals.models import Deal
from rapport.core.deals.schemas import (
    DealIn,
    DealList,
    DealOut,
    DealPatch,
    PipelineIn,
    PipelineList,
    PipelineMoveIn,
    PipelineOut,
    PipelinePatch,
    PipelineStageOut,
    TransitionIn,
)
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.core.workflows import Workflow
from rapport.core.workflows.schemas import StagesIn
from rapport.core.workflows.stages import replace_stages
from rapport.errors import not_found
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal

# Definitions hold callables (actions, field loaders): pass them through untouched.
Definitions = SkipValidation[Mapping[str, Workflow]]
Cursor = Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)]
Fields = NamedDependency[Sequence[FieldDefinition]]
Filters = Annotated[
    list[str] | None,
    QueryParameter(
        name="filter",
        description="Repeatable ``field:op:value`` over the deal's columns (title, amount, "
        "currency, probability, expected_close_date, owner_id, contact_id, organization_id, "
        "created_at, updated_at) and custom deal fields, e.g. ``custom.region:eq:north``, "
        "``amount:gte:1000`` — the contact list's grammar",
    ),
]
SortParam = Annotated[
    str | None,
    QueryParameter(max_length=100, description="``field`` ascending or ``-field`` descending"),
]


async def deal_out(
    db: AsyncSession, principal: Principal, definitions: Mapping[str, Workflow],
    fields: Sequence[FieldDefinition], deal: Deal,
) -> DealOut:
    labels = await service.stage_labels(db, principal, definitions, [deal.pipeline])
    rendered = await service.field_values(db, principal, fields, [deal])
    return DealOut.of(deal, labels, rendered[0])


class DealController(Controller):
    path = "/api/v1/deals"
    tags = ["deals"]

    @get("/")
    async def list_deals(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[Definitions],
        plugin_fields: Fields,
        stage: Annotated[str | None, QueryParameter(max_length=64)] = None,
        owner: Annotated[
            str | None, QueryParameter(max_length=36, description="``me`` or a member id")
        ] = None,
        contact_id: Annotated[uuid.UUID | None, QueryParameter()] = None,
        pipeline: Annotated[
            str | None, QueryParameter(max_length=40, description="A pipeline's key")
        ] = None,
        filters: Filters = None,
        sort: SortParam = None,
        cursor: Cursor = None,
        limit: Limit = 50,
    ) -> DealList:
        """Newest first unless ``sort`` is given; pass ``next_cursor`` back as ``cursor``."""
        labels = await service.stage_labels(db, principal, workflow_definitions)
        fields = await service.deal_fields(db, principal, plugin_fields)
        page = await service.list_deals(
            db, principal, stages=labels, stage=stage, owner=owner, contact_id=contact_id,
            cursor=cursor, limit=limit, pipeline_key=pipeline, definitions=fields,
            filters=filters or (), sort=sort,
        )
        rendered = await service.field_values(db, principal, fields, page.items)
        return DealList([DealOut.of(d, labels, f) for d, f in zip(page.items, rendered,
                                                                    strict=True)],
                        page.next_cursor)

    @post("/", status_code=201)
    async def create_deal(
        self,
        data: JSONBody[DealIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
        workflow_definitions: NamedDependency[Definitions],
        plugin_fields: Fields,
    ) -> DealOut:
        """A deal in its pipeline's first stage; with ``lines``, the amount is their sum."""
        fields = await service.deal_fields(db, principal, plugin_fields)
        deal = await service.create_deal(db, principal, data.values(), hooks, fields)
        return await deal_out(db, principal, workflow_definitions, fields, deal)

    @get("/{deal_id:uuid}")
    async def get_deal(
        self,
        deal_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[Definitions],
        plugin_fields: Fields,
    ) -> DealOut:
        deal = await service.get_deal(db, principal, deal_id)
        fields = await service.deal_fields(db, principal, plugin_fields)
        return await deal_out(db, principal, workflow_definitions, fields, deal)

    @patch("/{deal_id:uuid}")
    async def update_deal(
        self,
        deal_id: FromPath[uuid.UUID],
        data: JSONBody[DealPatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
        workflow_definitions: NamedDependency[Definitions],
        plugin_fields: Fields,
    ) -> DealOut:
        """Change only what is sent; ``null`` clears a value. The stage moves by transition,
        the pipeline by ``POST …/pipeline``."""
        fields = await service.deal_fields(db, principal, plugin_fields)
        deal = await service.update_deal(db, principal, deal_id, data.changes(), hooks, fields)
        return await deal_out(db, principal, workflow_definitions, fields, deal)

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
        plugin_fields: Fields,
        data: JSONBody[TransitionIn | None] = None,
    ) -> DealOut:
        """Fire a transition of the deal's pipeline (``qualify``, ``win``,
        ``move_to_<added stage>``…): 409 when the deal's stage or a condition forbids it,
        403 for viewers."""
        deal = await service.move_deal(
            db, principal, workflow_definitions, deal_id, name,
            note=data.note if data is not None else None, hooks=hooks,
        )
        fields = await service.deal_fields(db, principal, plugin_fields)
        return await deal_out(db, principal, workflow_definitions, fields, deal)

    @post("/{deal_id:uuid}/pipeline", status_code=200)
    async def change_pipeline(
        self,
        deal_id: FromPath[uuid.UUID],
        data: JSONBody[PipelineMoveIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
        workflow_definitions: NamedDependency[Definitions],
        plugin_fields: Fields,
    ) -> DealOut:
        """Move the deal to another pipeline, into ``stage`` or that pipeline's first stage
        (its history keeps the step): 422 for an unknown pipeline or stage, 409 when it is
        already there or the stage's condition is not met (``won`` needs an amount)."""
        deal = await service.change_pipeline(
            db, principal, workflow_definitions, deal_id, data.pipeline, hooks,
            stage=data.stage, note=data.note,
        )
        fields = await service.deal_fields(db, principal, plugin_fields)
        return await deal_out(db, principal, workflow_definitions, fields, deal)


async def pipelines_out(
    db: AsyncSession, principal: Principal, definitions: Mapping[str, Workflow],
) -> list[PipelineOut]:
    listed = await pipelines.list_pipelines(db, principal)
    shaped = await service.pipeline_workflows(db, principal, definitions)
    declared = {s.key for s in definitions[service.pipeline.NAME].states}
    return [
        PipelineOut.of(p, i, [PipelineStageOut(s.key, s.label, s.terminal, s.key not in declared)
                              for s in shaped[p.key].states])
        for i, p in enumerate(listed)
    ]


async def pipeline_out(
    db: AsyncSession, principal: Principal, definitions: Mapping[str, Workflow],
    pipeline_id: uuid.UUID,
) -> PipelineOut:
    found = next((p for p in await pipelines_out(db, principal, definitions)
                  if p.id == pipeline_id), None)
    if found is None:
        raise not_found("Pipeline")
    return found


class PipelineController(Controller):
    path = "/api/v1/pipelines"
    tags = ["deals"]

    @get("/")
    async def list_pipelines(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[Definitions],
    ) -> PipelineList:
        """The organization's deal pipelines in their order, each with its stages."""
        return PipelineList(await pipelines_out(db, principal, workflow_definitions))

    @post("/", status_code=201)
    async def create_pipeline(
        self,
        data: JSONBody[PipelineIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[Definitions],
    ) -> PipelineOut:
        """Owners and admins: a new pipeline with the kernel's stages (rename them or add
        its own with ``PUT …/stages``); 409 if the key is taken."""
        made = await pipelines.create_pipeline(db, principal, data.label, data.key,
                                               data.position)
        return await pipeline_out(db, principal, workflow_definitions, made.id)

    @get("/{pipeline_id:uuid}")
    async def get_pipeline(
        self,
        pipeline_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[Definitions],
    ) -> PipelineOut:
        return await pipeline_out(db, principal, workflow_definitions, pipeline_id)

    @patch("/{pipeline_id:uuid}")
    async def update_pipeline(
        self,
        pipeline_id: FromPath[uuid.UUID],
        data: JSONBody[PipelinePatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[Definitions],
    ) -> PipelineOut:
        """Owners and admins: rename it (``label``) or move it (``position``)."""
        await pipelines.update_pipeline(db, principal, pipeline_id, data.changes())
        return await pipeline_out(db, principal, workflow_definitions, pipeline_id)

    @delete("/{pipeline_id:uuid}", status_code=204)
    async def delete_pipeline(
        self,
        pipeline_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """Owners and admins; 409 for the default pipeline and for one that still has deals
        (naming how many: move them first)."""
        await pipelines.delete_pipeline(db, principal, pipeline_id)

    @put("/{pipeline_id:uuid}/stages")
    async def replace_stages(
        self,
        pipeline_id: FromPath[uuid.UUID],
        data: JSONBody[StagesIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[Definitions],
    ) -> PipelineOut:
        """Owners and admins: the pipeline's complete list of renamed and added stages —
        ``PUT /api/v1/workflows/{workflow}/stages`` for this pipeline's workflow."""
        found = await pipelines.get_pipeline(db, principal, pipeline_id)
        defs = await pipelines.definitions(db, principal, workflow_definitions)
        await replace_stages(db, principal, defs, found.workflow, data.changes())
        return await pipeline_out(db, principal, workflow_definitions, pipeline_id)
