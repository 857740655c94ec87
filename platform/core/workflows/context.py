"""What a transition action receives: part of the plugin contract (``rapport.hooks.workflows``)."""

from rapport.hooks.workflows import TransitionContext, WorkflowRecord, WorkflowStep

__all__ = ["TransitionContext", "WorkflowRecord", "WorkflowStep"]
