"""Workflow actions: start an instance, fire a transition, read state and history.

Every lookup takes the acting principal first and filters by its tenant; plugin routes
call these functions with their own ``workflow_definitions`` and field snapshot.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from psycopg.errors import UniqueViolation
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.workflows import engine
from rapport.core.workflows.context import TransitionContext
from rapport.core.workflows.definitions import Workflow
from rapport.core.workflows.engine import TransitionOption
from rapport.core.workflows.models import HistoryEntry, WorkflowInstance
from rapport.core.workflows.stages import effective_workflow
from rapport.db.base import new_id
from rapport.errors import conflict, invalid, not_found
from rapport.tenancy.models import User
from rapport.tenancy.principal import Principal

MAX_NOTE = 2000


@dataclass(frozen=True)
class Fired:
    workflow: Workflow
    instance: WorkflowInstance
    entry: HistoryEntry


@dataclass(frozen=True)
class HistoryItem:
    entry: HistoryEntry
    actor_name: str | None


@dataclass(frozen=True)
class RecordState:
    workflow: Workflow
    instance: WorkflowInstance
    history: list[HistoryItem]
    transitions: list[TransitionOption]


def _clean_note(note: str | None) -> str | None:
    if note is None:
        return None
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise invalid("note", f"must be at most {MAX_NOTE} characters")
    return note or None


async def get_instance(
    session: AsyncSession,
    actor: Principal,
    workflow: str,
    record_id: uuid.UUID,
    *,
    lock: bool = False,
) -> WorkflowInstance:
    """The record's instance in ``workflow``; ``lock`` holds its row until commit."""
    query = select(WorkflowInstance).where(
        WorkflowInstance.tenant_id == actor.tenant_id,
        WorkflowInstance.workflow == workflow,
        WorkflowInstance.record_id == record_id,
    )
    if lock:
        # populate_existing: a row already in this session must be re-read under the lock,
        # or a fire that waited for another one would check the stale state.
        query = query.with_for_update().execution_options(populate_existing=True)
    instance = (await session.execute(query)).scalar_one_or_none()
    if instance is None:
        raise not_found(f"Record {record_id} in workflow {workflow!r}")
    return instance


async def start(
    session: AsyncSession,
    actor: Principal,
    workflow: Workflow,
    record_type: str,
    record_id: uuid.UUID,
    *,
    note: str | None = None,
) -> WorkflowInstance:
    """Put a record into ``workflow``'s initial state; 409 if it is already in it.

    No role check: the plugin that creates the record has already decided who may.
    """
    if record_type != workflow.entity:
        raise invalid("record_type", f"workflow {workflow.name!r} is for {workflow.entity!r}")
    instance = WorkflowInstance(
        tenant_id=actor.tenant_id,
        id=new_id(),
        workflow=workflow.name,
        record_type=record_type,
        record_id=record_id,
        state=workflow.initial,
    )
    entry = HistoryEntry(
        tenant_id=actor.tenant_id,
        instance_id=instance.id,
        transition=None,
        from_state=None,
        to_state=workflow.initial,
        actor_id=actor.user_id,
        note=_clean_note(note),
    )
    try:
        async with session.begin_nested():
            session.add(instance)
            # Two flushes: without a relationship() the unit of work does not order the
            # inserts by the foreign key, and the entry must follow its instance.
            await session.flush()
            session.add(entry)
            await session.flush()
    except IntegrityError as exc:
        if not isinstance(exc.orig, UniqueViolation):
            raise
        # The unique key includes tenant_id: this is the caller's own record.
        raise conflict(f"Record {record_id} is already in workflow {workflow.name!r}") from exc
    return instance


async def discard(
    session: AsyncSession,
    actor: Principal,
    record_id: uuid.UUID,
    workflow_name: str | None = None,
) -> int:
    """Forget a deleted record's instances (in one workflow, or all) and their history.

    Instances do not reference their records (a record may live in any plugin's table),
    so the plugin deleting a record calls this; an orphan would otherwise keep an added
    stage "occupied" forever. Answers how many instances were removed.
    """
    query = delete(WorkflowInstance).where(
        WorkflowInstance.tenant_id == actor.tenant_id, WorkflowInstance.record_id == record_id
    )
    if workflow_name is not None:
        query = query.where(WorkflowInstance.workflow == workflow_name)
    result = await session.execute(query.returning(WorkflowInstance.id))
    return len(result.all())


async def _record_fields(
    session: AsyncSession,
    actor: Principal,
    workflow: Workflow,
    record_id: uuid.UUID,
    given: Mapping[str, Any] | None,
) -> Mapping[str, Any]:
    if given is not None:
        return given
    if workflow.load_fields is None:
        return {}
    fields = await workflow.load_fields(session, actor, record_id)
    if fields is None:
        raise not_found(f"{workflow.entity.capitalize()} {record_id}")
    return fields


async def fire(
    session: AsyncSession,
    actor: Principal,
    definitions: Mapping[str, Workflow],
    workflow_name: str,
    record_id: uuid.UUID,
    transition_name: str,
    note: str | None = None,
    record_fields: Mapping[str, Any] | None = None,
) -> Fired:
    """Fire one transition on a record, or raise the error to answer (see ``engine.check_fire``).

    The instance row is locked (``FOR UPDATE``) before its state is checked, so of two
    concurrent fires from the same state the second sees the first one's result.
    ``record_fields`` is the snapshot conditions are checked against; when None, the
    workflow's ``load_fields`` supplies it (or an empty snapshot). Actions run after the
    state change inside a savepoint: one that raises leaves nothing written.
    """
    workflow = await effective_workflow(session, actor, definitions, workflow_name, lock="share")
    instance = await get_instance(session, actor, workflow_name, record_id, lock=True)
    fields = await _record_fields(session, actor, workflow, record_id, record_fields)
    transition = engine.check_fire(workflow, instance.state, transition_name, actor.role, fields)
    note = _clean_note(note)
    from_state = instance.state
    async with session.begin_nested():
        instance.state = transition.target
        entry = HistoryEntry(
            tenant_id=actor.tenant_id,
            instance_id=instance.id,
            transition=transition.name,
            from_state=from_state,
            to_state=transition.target,
            actor_id=actor.user_id,
            note=note,
        )
        session.add(entry)
        await session.flush()
        context = TransitionContext(
            principal=actor,
            session=session,
            workflow=workflow,
            transition=transition,
            instance=instance,
            entry=entry,
            from_state=from_state,
            to_state=transition.target,
            note=note,
            record_fields=fields,
        )
        for action in transition.actions:
            outcome = action(context)
            if inspect.isawaitable(outcome):
                await outcome
        # Whatever the actions added is written now, so a constraint they break
        # also rolls the transition back.
        await session.flush()
    return Fired(workflow, instance, entry)


async def _steps(
    session: AsyncSession, actor: Principal, instance: WorkflowInstance
) -> list[HistoryItem]:
    rows = await session.execute(
        select(HistoryEntry, User.full_name)
        .outerjoin(User, User.id == HistoryEntry.actor_id)
        .where(HistoryEntry.tenant_id == actor.tenant_id, HistoryEntry.instance_id == instance.id)
        .order_by(HistoryEntry.created_at, HistoryEntry.id)
    )
    return [HistoryItem(entry, name) for entry, name in rows.all()]


async def history(
    session: AsyncSession, actor: Principal, workflow_name: str, record_id: uuid.UUID
) -> list[HistoryItem]:
    """Every step of the record's way through the workflow, oldest first, with who did it."""
    instance = await get_instance(session, actor, workflow_name, record_id)
    return await _steps(session, actor, instance)


async def available_transitions(
    session: AsyncSession,
    actor: Principal,
    definitions: Mapping[str, Workflow],
    workflow_name: str,
    record_id: uuid.UUID,
    record_fields: Mapping[str, Any] | None = None,
) -> list[TransitionOption]:
    """The transitions leaving the record's state, each marked allowed or not for ``actor``."""
    workflow = await effective_workflow(session, actor, definitions, workflow_name)
    instance = await get_instance(session, actor, workflow_name, record_id)
    fields = await _record_fields(session, actor, workflow, record_id, record_fields)
    return engine.options(workflow, instance.state, actor.role, fields)


async def record_state(
    session: AsyncSession,
    actor: Principal,
    definitions: Mapping[str, Workflow],
    workflow_name: str,
    record_id: uuid.UUID,
    record_fields: Mapping[str, Any] | None = None,
) -> RecordState:
    """State, history and available transitions in one answer (the record's workflow panel)."""
    workflow = await effective_workflow(session, actor, definitions, workflow_name)
    instance = await get_instance(session, actor, workflow_name, record_id)
    fields = await _record_fields(session, actor, workflow, record_id, record_fields)
    steps = await _steps(session, actor, instance)
    return RecordState(
        workflow, instance, steps, engine.options(workflow, instance.state, actor.role, fields)
    )
