"""Field conditions: a guard on a transition, checked against the record's field snapshot.

The snapshot is a flat mapping the caller supplies (custom fields keep their dotted
keys such as ``custom.budget``), so a condition never reads the database itself.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

_MISSING = object()

_COMPARE: dict[str, tuple[str, Callable[[Any, Any], bool]]] = {
    "eq": ("==", operator.eq),
    "ne": ("!=", operator.ne),
    "lt": ("<", operator.lt),
    "le": ("<=", operator.le),
    "gt": (">", operator.gt),
    "ge": (">=", operator.ge),
}
_MEMBERSHIP = {"in": "in", "not_in": "not in"}
_PRESENCE = {"present": "is present", "absent": "is absent"}
OPERATORS = frozenset({*_COMPARE, *_MEMBERSHIP, *_PRESENCE})


def _is_blank(value: Any) -> bool:
    return value is _MISSING or value is None or value == ""


@dataclass(frozen=True)
class Condition:
    """``field <op> value``; ops: eq ne lt le gt ge in not_in present absent.

    A missing field counts as ``None``; an ordering comparison against ``None`` or a value
    of another type fails the condition instead of raising, so a half-filled record is
    refused with a 409 naming the condition, never a 500.
    """

    field: str
    op: str
    value: Any = None

    def __post_init__(self) -> None:
        # Lists are the natural way to write a set of allowed values; keep the dataclass
        # hashable and the value immutable by storing a tuple.
        if self.op in _MEMBERSHIP and isinstance(self.value, list | set | frozenset):
            object.__setattr__(self, "value", tuple(self.value))

    def problem(self) -> str | None:
        """What is wrong with this condition as declared, or None."""
        if not isinstance(self.field, str) or not self.field:
            return "field must be a non-empty string"
        if self.op not in OPERATORS:
            return f"unknown operator {self.op!r}; use one of {', '.join(sorted(OPERATORS))}"
        if self.op in _MEMBERSHIP and not isinstance(self.value, tuple):
            return f"operator {self.op!r} needs a list or tuple of values"
        return None

    def holds(self, fields: Mapping[str, Any]) -> bool:
        actual = fields.get(self.field, _MISSING)
        if self.op in _PRESENCE:
            return _is_blank(actual) == (self.op == "absent")
        if actual is _MISSING:
            actual = None
        if self.op in _MEMBERSHIP:
            return (actual in self.value) == (self.op == "in")
        _, compare = _COMPARE[self.op]
        if self.op in ("eq", "ne"):
            return bool(compare(actual, self.value))
        if actual is None:
            return False
        try:
            return bool(compare(actual, self.value))
        except TypeError:
            return False

    def describe(self) -> str:
        """Human form for error messages and the API: ``amount >= 1000``."""
        if self.op in _PRESENCE:
            return f"{self.field} {_PRESENCE[self.op]}"
        symbol = _MEMBERSHIP.get(self.op) or _COMPARE[self.op][0]
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return f"{self.field} {symbol} {value!r}"

    def explain_failure(self, fields: Mapping[str, Any]) -> str:
        actual = fields.get(self.field, _MISSING)
        shown = "missing" if actual is _MISSING else repr(actual)
        return f"{self.describe()} ({self.field} is {shown})"
