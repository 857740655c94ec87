"""HTTP doors of workflows: definitions, a record's state, firing, tenant stages.

``workflow_definitions`` (``Mapping[str, Workflow]``, the workflows of the plugins the
tenant has enabled) is a request dependency the plugin manager provides.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from litestar import Controller, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, SkipValidation
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.workflows import service, stages
from rapport.core.workflows.definitions import Workflow
from rapport.core.workflows.schemas import (
    FireIn,
    RecordStateOut,
    StagesIn,
    WorkflowList,
    WorkflowOut,
)
from rapport.tenancy.principal import Principal

# Definitions hold callables (actions, field loaders): pass them through untouched.
Definitions = SkipValidation[Mapping[str, Workflow]]


class WorkflowController(Controller):
    path = "/api/v1/workflows"
    tags = ["workflows"]

    @get("/")
    async def list_workflows(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[Definitions],
    ) -> WorkflowList:
        """The workflows this tenant's plugins declare, with the tenant's stage changes."""
        defs = workflow_definitions
        items = await stages.effective_workflows(db, principal, defs)
        return WorkflowList([WorkflowOut.of(wf, defs[wf.name]) for wf in items])

    @get("/{workflow:str}/records/{record_id:uuid}")
    async def get_record(
        self,
        workflow: FromPath[str],
        record_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[Definitions],
    ) -> RecordStateOut:
        """Where the record stands, how it got there, and what may happen next."""
        defs = workflow_definitions
        state = await service.record_state(db, principal, defs, workflow, record_id)
        return RecordStateOut.of(state, defs[workflow])

    @post("/{workflow:str}/records/{record_id:uuid}/transitions/{name:str}", status_code=200)
    async def fire(
        self,
        workflow: FromPath[str],
        record_id: FromPath[uuid.UUID],
        name: FromPath[str],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[Definitions],
        data: JSONBody[FireIn | None] = None,
    ) -> RecordStateOut:
        """Fire one transition; 409 if the record's state (or a field condition) forbids it,
        403 if the caller's role may not. Answers with the record's new state."""
        defs = workflow_definitions
        note = data.note if data is not None else None
        await service.fire(db, principal, defs, workflow, record_id, name, note)
        state = await service.record_state(db, principal, defs, workflow, record_id)
        return RecordStateOut.of(state, defs[workflow])

    @put("/{workflow:str}/stages")
    async def replace_stages(
        self,
        workflow: FromPath[str],
        data: JSONBody[StagesIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[Definitions],
    ) -> WorkflowOut:
        """Owners and admins: the complete list of the tenant's renamed and added stages.
        409 if the workflow does not allow tenant stages."""
        defs = workflow_definitions
        wf = await stages.replace_stages(db, principal, defs, workflow, data.changes())
        return WorkflowOut.of(wf, defs[workflow])
