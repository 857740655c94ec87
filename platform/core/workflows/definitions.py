"""Workflow definitions are part of the plugin contract and live in
``rapport.hooks.workflows``; the engine keeps importing them from here."""

from rapport.hooks.workflows import (
    ANY_STATE,
    KEY_PATTERN,
    NAME_PATTERN,
    Action,
    FieldLoader,
    State,
    Transition,
    Workflow,
    WorkflowDefinitionError,
    validate_workflow,
    workflow_registry,
)

__all__ = [
    "ANY_STATE",
    "KEY_PATTERN",
    "NAME_PATTERN",
    "Action",
    "FieldLoader",
    "State",
    "Transition",
    "Workflow",
    "WorkflowDefinitionError",
    "validate_workflow",
    "workflow_registry",
]
