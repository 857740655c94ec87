"""Workflow shapes at the edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec

from rapport.core.workflows.definitions import State, Transition, Workflow
from rapport.core.workflows.engine import TransitionOption
from rapport.core.workflows.service import MAX_NOTE, HistoryItem, RecordState
from rapport.core.workflows.stages import StageChange


class FireIn(msgspec.Struct, forbid_unknown_fields=True):
    """Field values are never taken from the client: guards read the server's snapshot."""

    note: Annotated[str, msgspec.Meta(max_length=MAX_NOTE)] | None = None


class StageIn(msgspec.Struct, forbid_unknown_fields=True):
    key: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    label: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    position: Annotated[int, msgspec.Meta(ge=0, le=1000)] | None = None
    terminal: bool | None = None


class StagesIn(msgspec.Struct, forbid_unknown_fields=True):
    stages: Annotated[list[StageIn], msgspec.Meta(max_length=200)]

    def changes(self) -> list[StageChange]:
        return [StageChange(s.key, s.label, s.position, s.terminal) for s in self.stages]


class StageOut(msgspec.Struct):
    # Its OpenAPI component's name: another area has a struct of the same name.
    __schema_name__ = "WorkflowStageOut"
    key: str
    label: str
    terminal: bool
    custom: bool


class TransitionOut(msgspec.Struct):
    name: str
    label: str
    sources: list[str]
    target: str
    roles: list[str] | None
    conditions: list[str]

    @classmethod
    def of(cls, t: Transition) -> TransitionOut:
        roles = sorted(t.roles) if t.roles is not None else None
        return cls(t.name, t.label, list(t.sources), t.target, roles,
                   [c.describe() for c in t.conditions])


class WorkflowOut(msgspec.Struct):
    name: str
    title: str
    entity: str
    initial: str
    allow_tenant_stages: bool
    stages: list[StageOut]
    transitions: list[TransitionOut]

    @classmethod
    def of(cls, wf: Workflow, declared: Workflow) -> WorkflowOut:
        """``wf`` as the tenant sees it; ``declared`` tells its own stages from the plugin's."""
        keys = {s.key for s in declared.states}
        return cls(
            wf.name, wf.title, wf.entity, wf.initial, wf.allow_tenant_stages,
            [StageOut(s.key, s.label, s.terminal, s.key not in keys) for s in wf.states],
            [TransitionOut.of(t) for t in wf.transitions],
        )


class WorkflowList(msgspec.Struct):
    items: list[WorkflowOut]


class HistoryOut(msgspec.Struct):
    transition: str | None
    from_state: str | None
    to_state: str
    actor_id: uuid.UUID | None
    actor_name: str | None
    note: str | None
    at: datetime

    @classmethod
    def of(cls, item: HistoryItem) -> HistoryOut:
        e = item.entry
        return cls(e.transition, e.from_state, e.to_state, e.actor_id, item.actor_name, e.note,
                   e.created_at)


class OptionOut(msgspec.Struct):
    name: str
    label: str
    target: str
    allowed: bool
    reason: str | None

    @classmethod
    def of(cls, o: TransitionOption) -> OptionOut:
        t = o.transition
        return cls(t.name, t.label, t.target, o.allowed, o.reason)


class RecordStateOut(msgspec.Struct):
    workflow: str
    record_type: str
    record_id: uuid.UUID
    state: StageOut
    history: list[HistoryOut]
    transitions: list[OptionOut]

    @classmethod
    def of(cls, rs: RecordState, declared: Workflow) -> RecordStateOut:
        i = rs.instance
        # A state a newer plugin version dropped still shows, under its key.
        state = rs.workflow.state(i.state) or State(i.state, i.state)
        custom = declared.state(i.state) is None and rs.workflow.state(i.state) is not None
        return cls(
            i.workflow, i.record_type, i.record_id,
            StageOut(state.key, state.label, state.terminal, custom),
            [HistoryOut.of(h) for h in rs.history],
            [OptionOut.of(o) for o in rs.transitions],
        )
