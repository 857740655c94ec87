"""Workflow definitions: plain frozen data a plugin declares, checked when it is built.

A ``Workflow`` validates itself on construction (``validate_workflow``), so a bad
definition fails when the plugin loads, with the state or transition at fault named,
never on a customer's first click.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from rapport.hooks.conditions import Condition

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from rapport.tenancy.principal import Principal

ANY_STATE = "*"
# Workflow names, state keys and transition names appear in URLs and in the database.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{0,99}$")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

Action = Callable[["TransitionContext"], Awaitable[None] | None]
"""Runs after the state change, in the same transaction; raising undoes the transition."""

FieldLoader = Callable[
    ["AsyncSession", "Principal", uuid.UUID], Awaitable[Mapping[str, Any] | None]
]
"""Reads a record's field snapshot for the generic HTTP doors; None means no such record."""


class WorkflowRecord(Protocol):
    """The row that tracks one record in a workflow (the kernel's ``WorkflowInstance``)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def workflow(self) -> str: ...
    @property
    def record_type(self) -> str: ...
    @property
    def record_id(self) -> uuid.UUID: ...
    @property
    def state(self) -> str: ...


class WorkflowStep(Protocol):
    """One line of a record's workflow history (the kernel's ``HistoryEntry``)."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def transition(self) -> str | None: ...
    @property
    def from_state(self) -> str | None: ...
    @property
    def to_state(self) -> str: ...
    @property
    def note(self) -> str | None: ...
    @property
    def created_at(self) -> datetime: ...


@dataclass(frozen=True)
class TransitionContext:
    """What a transition action receives: the fired transition, after the state change and
    its history entry were written.

    ``session`` is the caller's transaction: whatever the action writes commits or rolls
    back together with the transition, and an action that raises undoes both.
    """

    principal: Principal
    session: AsyncSession
    workflow: Workflow
    transition: Transition
    instance: WorkflowRecord
    entry: WorkflowStep
    from_state: str
    to_state: str
    note: str | None
    record_fields: Mapping[str, Any]


class WorkflowDefinitionError(ValueError):
    """A plugin declared a workflow that cannot work; the message names the culprit."""


@dataclass(frozen=True)
class State:
    key: str
    label: str
    terminal: bool = False


@dataclass(frozen=True)
class Transition:
    """A named move from any of ``sources`` (``'*'``: every non-terminal state) to ``target``.

    ``roles=None`` lets every role except ``viewer`` fire it (viewers are read-only
    everywhere in Rapport); a set names exactly the roles that may, plugin roles included.
    """

    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str] | None = None
    conditions: tuple[Condition, ...] = ()
    actions: tuple[Action, ...] = ()

    def __post_init__(self) -> None:
        # Accept lists and sets from plugin authors but store immutable, hashable values.
        if isinstance(self.sources, list):
            object.__setattr__(self, "sources", tuple(self.sources))
        if self.roles is not None and not isinstance(self.roles, frozenset):
            object.__setattr__(self, "roles", frozenset(self.roles))
        for name in ("conditions", "actions"):
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))

    def leaves(self, state: State | None) -> bool:
        """True if this transition may fire from ``state`` (None: a state no longer declared)."""
        if state is not None and state.terminal:
            return False
        if ANY_STATE in self.sources:
            return True
        return state is not None and state.key in self.sources


@dataclass(frozen=True)
class Workflow:
    """A state machine over one record type (``entity``, e.g. ``"deal"``).

    ``allow_tenant_stages`` lets each tenant rename states and add its own (see
    ``rapport.core.workflows.stages``). ``load_fields`` is optional: the generic HTTP
    doors call it to get the snapshot that field conditions are checked against.
    """

    name: str
    title: str
    entity: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    initial: str
    allow_tenant_stages: bool = False
    load_fields: FieldLoader | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for name in ("states", "transitions"):
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        validate_workflow(self)

    def state(self, key: str) -> State | None:
        return next((s for s in self.states if s.key == key), None)

    def transition(self, name: str) -> Transition | None:
        return next((t for t in self.transitions if t.name == name), None)

    def transitions_from(self, key: str) -> list[Transition]:
        here = self.state(key)
        return [t for t in self.transitions if t.leaves(here)]


def _fail(workflow: str, message: str) -> WorkflowDefinitionError:
    return WorkflowDefinitionError(f"workflow {workflow!r}: {message}")


def _check_states(wf: Workflow) -> dict[str, bool]:
    """Check the states; answer each key's ``terminal`` flag."""
    if not wf.states:
        raise _fail(wf.name, "declares no states")
    keys: dict[str, bool] = {}
    for s in wf.states:
        if not isinstance(s, State):
            raise _fail(wf.name, f"states must be State objects, got {s!r}")
        if not isinstance(s.key, str) or not KEY_PATTERN.match(s.key):
            raise _fail(wf.name, f"state {s.key!r}: key must match {KEY_PATTERN.pattern}")
        if s.key in keys:
            raise _fail(wf.name, f"state {s.key!r} is declared twice")
        if not s.label or not s.label.strip():
            raise _fail(wf.name, f"state {s.key!r} has an empty label")
        keys[s.key] = s.terminal
    if wf.initial not in keys:
        raise _fail(wf.name, f"initial state {wf.initial!r} is not one of its states")
    if keys[wf.initial]:
        raise _fail(wf.name, f"initial state {wf.initial!r} is terminal")
    return keys


def _check_transition(wf: Workflow, t: Transition, terminal: dict[str, bool]) -> None:
    where = f"transition {t.name!r}"
    if isinstance(t.sources, str) or not t.sources:
        raise _fail(wf.name, f"{where}: sources must be a non-empty tuple of state keys")
    for source in t.sources:
        if source == ANY_STATE:
            continue
        if source not in terminal:
            raise _fail(wf.name, f"{where}: unknown source state {source!r}")
        if terminal[source]:
            # Nothing leaves a terminal state; such a declaration is a mistake, not a rule.
            raise _fail(wf.name, f"{where}: source state {source!r} is terminal")
    if t.target not in terminal:
        raise _fail(wf.name, f"{where}: unknown target state {t.target!r}")
    if t.roles is not None and not t.roles:
        raise _fail(wf.name, f"{where}: an empty role set lets nobody fire it; use None for "
                    "every role except viewer")
    for condition in t.conditions:
        if not isinstance(condition, Condition):
            raise _fail(wf.name, f"{where}: conditions must be Condition objects")
        if problem := condition.problem():
            raise _fail(wf.name, f"{where}: condition on {condition.field!r}: {problem}")
    for action in t.actions:
        if not callable(action):
            raise _fail(wf.name, f"{where}: action {action!r} is not callable")


def validate_workflow(wf: Workflow) -> None:
    """Raise ``WorkflowDefinitionError`` naming the first bad state or transition."""
    if not isinstance(wf.name, str) or not NAME_PATTERN.match(wf.name):
        raise WorkflowDefinitionError(
            f"workflow name {wf.name!r} must match {NAME_PATTERN.pattern}"
        )
    if not wf.title or not wf.entity:
        raise _fail(wf.name, "title and entity must not be empty")
    keys = _check_states(wf)
    if not wf.transitions:
        raise _fail(wf.name, "declares no transitions")
    names: set[str] = set()
    for t in wf.transitions:
        if not isinstance(t, Transition):
            raise _fail(wf.name, f"transitions must be Transition objects, got {t!r}")
        if not isinstance(t.name, str) or not KEY_PATTERN.match(t.name):
            raise _fail(wf.name, f"transition {t.name!r}: name must match {KEY_PATTERN.pattern}")
        if t.name in names:
            raise _fail(wf.name, f"transition {t.name!r} is declared twice")
        names.add(t.name)
        _check_transition(wf, t, keys)


def workflow_registry(workflows: Iterable[Workflow]) -> dict[str, Workflow]:
    """Index workflows by name, refusing two with the same name (two plugins clashing)."""
    registry: dict[str, Workflow] = {}
    for wf in workflows:
        if not isinstance(wf, Workflow):
            raise WorkflowDefinitionError(f"expected a Workflow, got {wf!r}")
        if wf.name in registry:
            raise WorkflowDefinitionError(f"workflow {wf.name!r} is declared twice")
        registry[wf.name] = wf
    return registry
