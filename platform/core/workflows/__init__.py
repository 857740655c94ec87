"""Generic workflow engine: plugins declare state machines as data; records move through
them by named transitions, guarded by role and field conditions, with full history.

Plugin authors need only this module: declare ``Workflow``/``State``/``Transition``/
``Condition``, call ``start`` when a record is created and ``fire`` from their routes.
"""

from rapport.core.workflows.conditions import Condition
from rapport.core.workflows.context import TransitionContext
from rapport.core.workflows.definitions import (
    ANY_STATE,
    Action,
    FieldLoader,
    State,
    Transition,
    Workflow,
    WorkflowDefinitionError,
    validate_workflow,
    workflow_registry,
)
from rapport.core.workflows.engine import TransitionOption
from rapport.core.workflows.service import (
    Fired,
    RecordState,
    available_transitions,
    discard,
    fire,
    get_instance,
    history,
    record_state,
    start,
)

__all__ = [
    "ANY_STATE",
    "Action",
    "Condition",
    "FieldLoader",
    "Fired",
    "RecordState",
    "State",
    "Transition",
    "TransitionContext",
    "TransitionOption",
    "Workflow",
    "WorkflowDefinitionError",
    "available_transitions",
    "discard",
    "fire",
    "get_instance",
    "history",
    "record_state",
    "start",
    "validate_workflow",
    "workflow_registry",
]
