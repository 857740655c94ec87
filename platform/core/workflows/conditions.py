"""Field conditions on transitions: part of the plugin contract (``rapport.hooks.conditions``)."""

from rapport.hooks.conditions import OPERATORS, Condition

__all__ = ["OPERATORS", "Condition"]
