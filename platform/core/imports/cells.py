"""Custom field values as CSV cells: a cell is read into the JSON shape the API accepts
(then validated by the fields area like any API write) and written back the same way, so
an export imports again to the same values.

| type | cell |
| --- | --- |
| integer, decimal | ``44``, ``12.50`` |
| boolean | ``true``/``false`` (also ``yes``/``no``, ``1``/``0``) |
| money | ``12.50 EUR`` |
| multi_enum | options separated by ``;`` |
| reference | the record's id, or ``<entity>:<id>`` for a field that may point to several |
| everything else | the value as written |
"""

from __future__ import annotations

import re
from typing import Any

from rapport.core.fields.definitions import FieldDefinition, FieldType
from rapport.core.fields.types import ValueRuleError, reference_targets

SEPARATOR = ";"
_INTEGER = re.compile(r"^[+-]?\d{1,19}$")
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
_MONEY = re.compile(r"^\s*(?:([A-Za-z]{3})\s+)?([+-]?[\d.]+)\s*(?:([A-Za-z]{3}))?\s*$")


def read_cell(d: FieldDefinition, cell: str) -> Any:
    """The API-shaped value of a non-empty cell (``ValueRuleError`` when it has none)."""
    if d.type == FieldType.INTEGER:
        if not _INTEGER.match(cell.strip()):
            raise ValueRuleError("must be an integer")
        return int(cell)
    if d.type == FieldType.BOOLEAN:
        folded = cell.strip().lower()
        if folded in _TRUE or folded in _FALSE:
            return folded in _TRUE
        raise ValueRuleError("must be true or false")
    if d.type == FieldType.MONEY:
        match = _MONEY.match(cell)
        currency = match and (match.group(1) or match.group(3))
        if not match or not currency or (match.group(1) and match.group(3)):
            raise ValueRuleError('must be an amount and a currency, e.g. "12.50 EUR"')
        return {"amount": match.group(2), "currency": currency}
    if d.type == FieldType.MULTI_ENUM:
        return [part.strip() for part in cell.split(SEPARATOR) if part.strip()]
    if d.type == FieldType.REFERENCE:
        targets = reference_targets(d)
        entity, sep, ident = cell.strip().rpartition(":")
        return {"type": entity if sep else targets[0], "id": ident}
    return cell


def write_cell(d: FieldDefinition, value: Any) -> str:
    """A stored value as the cell ``read_cell`` reads back to it."""
    if value is None:
        return ""
    if d.type == FieldType.BOOLEAN:
        return "true" if value else "false"
    if d.type == FieldType.MONEY:
        return f"{value['amount']} {value['currency']}"
    if d.type == FieldType.MULTI_ENUM:
        return SEPARATOR.join(value)
    if d.type == FieldType.REFERENCE:
        if len(reference_targets(d)) == 1:
            return str(value["id"])
        return f"{value['type']}:{value['id']}"
    return str(value)
