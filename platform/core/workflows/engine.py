"""The rules of firing, without the database: which transitions leave a state, who may
fire them, and which field conditions hold. The service adds locking and persistence."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rapport.core.workflows.conditions import Condition
from rapport.core.workflows.definitions import Transition, Workflow
from rapport.errors import conflict, forbidden, not_found

READ_ONLY_ROLE = "viewer"


@dataclass(frozen=True)
class TransitionOption:
    """A transition that leaves the current state, and whether this caller may fire it now."""

    transition: Transition
    allowed: bool
    reason: str | None = None


def role_refusal(transition: Transition, role: str) -> str | None:
    """Why ``role`` may not fire ``transition``, or None if it may."""
    if transition.roles is None:
        if role != READ_ONLY_ROLE:
            return None
        return f"Role {role!r} may not fire {transition.name!r}: viewers are read-only"
    if role in transition.roles:
        return None
    allowed = ", ".join(sorted(transition.roles))
    return f"Role {role!r} may not fire {transition.name!r}; allowed roles: {allowed}"


def failed_condition(transition: Transition, fields: Mapping[str, Any]) -> Condition | None:
    """The first condition of ``transition`` that ``fields`` fail, or None."""
    return next((c for c in transition.conditions if not c.holds(fields)), None)


def _condition_refusal(
    transition: Transition, condition: Condition, fields: Mapping[str, Any]
) -> str:
    return f"Condition not met for {transition.name!r}: {condition.explain_failure(fields)}"


def check_fire(
    workflow: Workflow, state: str, name: str, role: str, fields: Mapping[str, Any]
) -> Transition:
    """The transition to fire, or the error to answer: 404 unknown, 409 wrong state,
    403 role, 409 condition — in that order, so the state check never depends on who asks."""
    transition = workflow.transition(name)
    if transition is None:
        raise not_found(f"Transition {name!r} of workflow {workflow.name!r}")
    if not transition.leaves(workflow.state(state)):
        allowed = [t.name for t in workflow.transitions_from(state)]
        listed = ", ".join(allowed) if allowed else "none"
        raise conflict(
            f"Transition {name!r} is not allowed from state {state!r}; "
            f"allowed from there: {listed}",
            current_state=state,
            allowed_transitions=allowed,
        )
    if refusal := role_refusal(transition, role):
        raise forbidden(refusal)
    if condition := failed_condition(transition, fields):
        raise conflict(
            _condition_refusal(transition, condition, fields), condition=condition.describe()
        )
    return transition


def options(
    workflow: Workflow, state: str, role: str, fields: Mapping[str, Any]
) -> list[TransitionOption]:
    """Every transition leaving ``state``, marked allowed or not for this caller."""
    out = []
    for t in workflow.transitions_from(state):
        reason = role_refusal(t, role)
        if reason is None and (condition := failed_condition(t, fields)):
            reason = _condition_refusal(t, condition, fields)
        out.append(TransitionOption(t, reason is None, reason))
    return out
