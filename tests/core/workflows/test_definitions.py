"""Definitions are checked when declared: a broken workflow never reaches a tenant."""

from __future__ import annotations

from typing import Any

import pytest

from rapport.core.workflows import (
    Condition,
    State,
    Transition,
    Workflow,
    WorkflowDefinitionError,
    workflow_registry,
)

STATES = (State("open", "Open"), State("done", "Done", terminal=True))


def build(**changes: Any) -> Workflow:
    spec: dict[str, Any] = {
        "name": "test.valid",
        "title": "Valid",
        "entity": "thing",
        "states": STATES,
        "transitions": (Transition("finish", "Finish", ("open",), "done"),),
        "initial": "open",
    }
    spec.update(changes)
    return Workflow(**spec)


def test_a_valid_definition_builds_and_answers_its_transitions() -> None:
    wf = build(transitions=[Transition("finish", "Finish", ["open"], "done",
                                       roles={"owner"})])
    assert wf.transitions_from("open")[0].roles == frozenset({"owner"})
    assert wf.transitions_from("done") == []


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"initial": "nowhere"}, "initial state 'nowhere' is not one of its states"),
        ({"initial": "done"}, "initial state 'done' is terminal"),
        ({"states": (*STATES, State("open", "Again"))}, "state 'open' is declared twice"),
        ({"states": (State("Open Now", "x"),), "initial": "Open Now"}, "state 'Open Now'"),
        ({"states": ()}, "declares no states"),
        ({"transitions": ()}, "declares no transitions"),
        ({"name": "Bad Name"}, "workflow name 'Bad Name'"),
        ({"transitions": (Transition("finish", "F", ("open",), "gone"),)},
         "transition 'finish': unknown target state 'gone'"),
        ({"transitions": (Transition("finish", "F", ("limbo",), "done"),)},
         "transition 'finish': unknown source state 'limbo'"),
        ({"transitions": (Transition("reopen", "R", ("done",), "open"),)},
         "transition 'reopen': source state 'done' is terminal"),
        ({"transitions": (Transition("finish", "F", "open", "done"),)},
         "transition 'finish': sources must be a non-empty tuple"),
        ({"transitions": (Transition("finish", "F", ("open",), "done"),
                          Transition("finish", "F2", ("open",), "done"))},
         "transition 'finish' is declared twice"),
        ({"transitions": (Transition("finish", "F", ("open",), "done", roles=frozenset()),)},
         "transition 'finish': an empty role set lets nobody fire it"),
        ({"transitions": (Transition("finish", "F", ("open",), "done",
                                     conditions=(Condition("amount", "approx", 3),)),)},
         "transition 'finish': condition on 'amount': unknown operator 'approx'"),
        ({"transitions": (Transition("finish", "F", ("open",), "done",
                                     conditions=(Condition("kind", "in", "abc"),)),)},
         "condition on 'kind': operator 'in' needs a list or tuple"),
        ({"transitions": (Transition("finish", "F", ("open",), "done",
                                     actions=("notify",)),)},
         "transition 'finish': action 'notify' is not callable"),
    ],
)
def test_a_broken_definition_is_refused_naming_the_culprit(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(WorkflowDefinitionError) as err:
        build(**changes)
    assert message in str(err.value)


def test_two_workflows_with_one_name_are_refused() -> None:
    with pytest.raises(WorkflowDefinitionError, match=r"'test\.valid' is declared twice"):
        workflow_registry([build(), build(title="Other plugin")])


@pytest.mark.parametrize(
    ("condition", "fields", "holds"),
    [
        (Condition("amount", "ge", 1000), {"amount": 1000}, True),
        (Condition("amount", "ge", 1000), {"amount": 999}, False),
        (Condition("amount", "gt", 1000), {}, False),
        (Condition("amount", "lt", 10), {"amount": "9"}, False),  # wrong type: refused, no crash
        (Condition("stage", "eq", "hot"), {"stage": "hot"}, True),
        (Condition("stage", "ne", "hot"), {}, True),
        (Condition("kind", "in", ["new", "used"]), {"kind": "used"}, True),
        (Condition("kind", "not_in", ["new", "used"]), {"kind": "used"}, False),
        (Condition("custom.vin", "present"), {"custom.vin": "WVW"}, True),
        (Condition("custom.vin", "present"), {"custom.vin": ""}, False),
        (Condition("custom.vin", "absent"), {}, True),
    ],
)
def test_conditions_read_the_snapshot(
    condition: Condition, fields: dict[str, Any], holds: bool
) -> None:
    assert condition.holds(fields) is holds


def test_a_condition_describes_itself_and_its_failure() -> None:
    c = Condition("amount", "ge", 1000)
    assert c.describe() == "amount >= 1000"
    assert c.explain_failure({"amount": 5}) == "amount >= 1000 (amount is 5)"
    assert c.explain_failure({}) == "amount >= 1000 (amount is missing)"
    assert Condition("kind", "in", ("a", "b")).describe() == "kind in ['a', 'b']"
