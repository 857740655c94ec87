"""What a transition action receives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.workflows.definitions import Transition, Workflow
from rapport.core.workflows.models import HistoryEntry, WorkflowInstance
from rapport.tenancy.principal import Principal


@dataclass(frozen=True)
class TransitionContext:
    """The fired transition, after the state change and its history entry were written.

    ``session`` is the caller's transaction: whatever the action writes commits or rolls
    back together with the transition, and an action that raises undoes both.
    """

    principal: Principal
    session: AsyncSession
    workflow: Workflow
    transition: Transition
    instance: WorkflowInstance
    entry: HistoryEntry
    from_state: str
    to_state: str
    note: str | None
    record_fields: Mapping[str, Any]
