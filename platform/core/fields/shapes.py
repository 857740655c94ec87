"""What a record's ``fields`` (custom field values, by full key) look like in the document.

The values are those of ``rapport.core.fields.types``: the value union of every field
type, as sent and as stored. Python keeps ``dict[str, Any]`` (msgspec cannot decode two
object shapes in one union, and a decimal must stay the exact text or number sent); the
checkers there are what enforces each field's type.
"""

from __future__ import annotations

from typing import Annotated, Any

from rapport.fieldtypes import documented, shape

_DESCRIBE_KINDS = (
    "text, long_text, enum, email, phone, url, date (YYYY-MM-DD), datetime (ISO 8601 "
    "with offset) and decimal are strings; integer an integer; boolean a boolean; "
    "multi_enum a list of strings; money a MoneyValue; reference a ReferenceValue"
)
_DECIMAL_TEXT = r"^-?\d{1,18}(\.\d{1,10})?$"

MONEY_VALUE = shape("MoneyValue", {
    "type": "object",
    "description": "A money field's value: the amount as exact decimal text, in the "
                   "currency's minor units, and the ISO 4217 code.",
    "properties": {
        "amount": {"type": "string", "pattern": _DECIMAL_TEXT, "examples": ["12.50"]},
        "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "examples": ["EUR"]},
    },
    "required": ["amount", "currency"],
    "additionalProperties": False,
})
MONEY_VALUE_IN = shape("MoneyValueIn", {
    "type": "object",
    "description": "A money field's value as sent: the amount as a number or numeric "
                   "text (at most as many decimals as the currency has), and an ISO 4217 "
                   "code in either case.",
    "properties": {
        "amount": {"anyOf": [{"type": "string", "maxLength": 40}, {"type": "number"}]},
        "currency": {"type": "string", "pattern": "^[A-Za-z]{3}$"},
    },
    "required": ["amount", "currency"],
    "additionalProperties": False,
})
REFERENCE_VALUE = shape("ReferenceValue", {
    "type": "object",
    "description": "A reference field's value: the kind of record (`contact`, "
                   "`organization`, … as the field allows) and its id.",
    "properties": {
        "type": {"type": "string"},
        "id": {"type": "string", "format": "uuid"},
    },
    "required": ["type", "id"],
    "additionalProperties": False,
})
FIELD_VALUE = shape("FieldValue", {
    "description": f"One custom field's stored value, by the field's type: {_DESCRIBE_KINDS}.",
    "anyOf": [
        {"type": "string"},
        {"type": "integer"},
        {"type": "boolean"},
        {"type": "array", "items": {"type": "string"}},
        MONEY_VALUE,
        REFERENCE_VALUE,
    ],
})
FIELD_VALUE_IN = shape("FieldValueIn", {
    "description": f"One custom field's value as sent, by the field's type: {_DESCRIBE_KINDS}"
                   " (a decimal may also be a JSON number); null clears the field.",
    "anyOf": [
        {"type": "string"},
        {"type": "number"},
        {"type": "boolean"},
        {"type": "array", "items": {"type": "string"}},
        MONEY_VALUE_IN,
        REFERENCE_VALUE,
        {"type": "null"},
    ],
})

FieldValues = Annotated[dict[str, Any], documented(
    "Custom field values by the field's full key (`GET /fields`); only the fields visible "
    "to the caller.",
    additional_properties=FIELD_VALUE,
)]
FieldValuesIn = Annotated[dict[str, Any], documented(
    "Custom field values by the field's full key (`GET /fields`), each checked against "
    "the field's type; an unknown or read-only key is refused.",
    additional_properties=FIELD_VALUE_IN,
)]
