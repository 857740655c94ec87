"""Contributed fields of the contact list's filter grammar (``rapport_contact_filters``):
``analytics.abc:eq:A``, ``teams.owner_team:eq:<id>`` … read and turned into one condition
over ``contacts.id``, with the same operators and refusals as the list's own fields."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import not_, select
from sqlalchemy.sql.elements import ColumnElement

from rapport.core.contacts.models import Contact
from rapport.core.fields import types
from rapport.core.fields.filters import MAX_IN_VALUES, bad_query
from rapport.hooks import PluginRegistry
from rapport.hooks.filters import CHOICE, DECIMAL, INTEGER, REFERENCE, ContactFilter

Contributed = Mapping[str, ContactFilter]
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "eq": lambda a, b: a == b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
}


def contributed_filters(
    registry: PluginRegistry, modules: frozenset[str]
) -> dict[str, ContactFilter]:
    """The fields kernel areas and the tenant's enabled plugins add, by name (names were
    checked when the plugins loaded)."""
    return {f.name: f for _, f in registry.declared("rapport_contact_filters", modules)}


def _scalar(declared: ContactFilter, raw: str) -> Any:
    kind = declared.value_type
    if kind == CHOICE:
        if raw not in declared.choices:
            raise types.ValueRuleError("must be one of: " + ", ".join(declared.choices))
        return raw
    if kind in (INTEGER, DECIMAL):
        number = types.parse_decimal(raw)
        if kind == INTEGER and number != number.to_integral_value():
            raise types.ValueRuleError("must be an integer")
        return number if kind == DECIMAL else int(number)
    if kind == REFERENCE:
        try:
            return uuid.UUID(raw)
        except ValueError as exc:
            raise types.ValueRuleError("must be an id (UUID)") from exc
    return raw


def _values(declared: ContactFilter, op: str, raw: str) -> list[Any]:
    if op == "is_empty":
        if raw not in ("", "true", "false"):
            raise types.ValueRuleError("is_empty takes true or false")
        return []
    parts = [p.strip() for p in raw.split(",")] if op == "in" else [raw.strip()]
    if not all(parts):
        raise types.ValueRuleError("needs a value (use is_empty for contacts without one)")
    if len(parts) > MAX_IN_VALUES:
        raise types.ValueRuleError(f"takes at most {MAX_IN_VALUES} values")
    return [_scalar(declared, p) for p in parts]


def condition(
    tenant_id: uuid.UUID, declared: ContactFilter, op: str, raw: str
) -> ColumnElement[bool]:
    """``name:op:value`` of a contributed field → a condition over ``contacts.id``; a bad
    operator or value → 400 naming the field, the operator and what is wrong."""
    name = declared.name
    offered = declared.operators
    if op not in offered:
        raise bad_query("filter", f"operator {op!r} does not apply to {name} "
                        f"(use {', '.join(offered)})")
    try:
        values = _values(declared, op, raw)
    except types.ValueRuleError as exc:
        raise bad_query("filter", f"{name}:{op}: {exc}") from exc
    rows = declared.rows(tenant_id).subquery()
    value = rows.c.value

    def having(*where: Any) -> ColumnElement[bool]:
        return Contact.id.in_(select(rows.c.contact_id).where(*where))

    if op == "is_empty":
        some = having(value.is_not(None))
        return not_(some) if raw in ("", "true") else some
    if op == "ne":  # "not A" includes contacts with no value at all, as for every field
        return not_(having(value == values[0]))
    if op == "in":
        return having(value.in_(values))
    return having(_COMPARE[op](value, values[0]))
