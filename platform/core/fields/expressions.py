"""The SQL expression each field type is read through, shared by filters and sorts.

The ``rapport_try_*`` functions (migration 0002) are IMMUTABLE safe casts: another tenant
may store anything under the same key, and a cast must then give NULL, never an error.
``rapport_field_value_rows`` reads values the same way when it fills the field index.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Numeric, SQLColumnExpression, Text, func, literal
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.sql.elements import ColumnElement

from rapport.core.fields.definitions import FULL_KEY_RE, FieldType

# field_values keeps this many characters of a text (btree entries have a size limit,
# whatever another tenant stores); filters re-check the full text on the record.
TEXT_KEY_LENGTH = 256


class IndexKind(StrEnum):
    TEXT = "text"
    NUMERIC = "numeric"
    MONEY = "money"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    REFERENCE = "reference"
    MULTI = "multi"


KIND_OF: dict[FieldType, IndexKind] = {
    FieldType.TEXT: IndexKind.TEXT,
    FieldType.LONG_TEXT: IndexKind.TEXT,
    FieldType.EMAIL: IndexKind.TEXT,
    FieldType.PHONE: IndexKind.TEXT,
    FieldType.URL: IndexKind.TEXT,
    FieldType.ENUM: IndexKind.TEXT,
    FieldType.INTEGER: IndexKind.NUMERIC,
    FieldType.DECIMAL: IndexKind.NUMERIC,
    FieldType.MONEY: IndexKind.MONEY,
    FieldType.BOOLEAN: IndexKind.BOOLEAN,
    FieldType.DATE: IndexKind.DATE,
    FieldType.DATETIME: IndexKind.DATETIME,
    FieldType.REFERENCE: IndexKind.REFERENCE,
    FieldType.MULTI_ENUM: IndexKind.MULTI,
}


def _const(text: str) -> ColumnElement[str]:
    # Rendered into the SQL as a literal (checked against FULL_KEY_RE): one statement text
    # per key keeps plans and statistics per field.
    return literal(text, Text, literal_execute=True)


def member(fields: SQLColumnExpression[Any], full_key: str) -> ColumnElement[Any]:
    """``fields -> 'owner.key'`` (jsonb)."""
    if not FULL_KEY_RE.match(full_key):
        raise ValueError(f"not a full field key: {full_key!r}")
    return fields.op("->", return_type=JSONB)(_const(full_key))


def member_text(fields: SQLColumnExpression[Any], full_key: str) -> ColumnElement[str]:
    """``fields ->> 'owner.key'`` (text)."""
    if not FULL_KEY_RE.match(full_key):
        raise ValueError(f"not a full field key: {full_key!r}")
    return fields.op("->>", return_type=Text)(_const(full_key))


def subfield_text(fields: SQLColumnExpression[Any], full_key: str, name: str) -> ColumnElement[str]:
    """``(fields -> 'owner.key') ->> 'name'``: a part of a money or reference value."""
    return member(fields, full_key).op("->>", return_type=Text)(_const(name))


def typed_value(
    fields: SQLColumnExpression[Any], full_key: str, kind: IndexKind
) -> ColumnElement[Any]:
    """The comparable value of a field: what a filter compares and a sort orders by."""
    text = member_text(fields, full_key)
    match kind:
        case IndexKind.TEXT:
            return text
        case IndexKind.NUMERIC:
            return func.rapport_try_numeric(text, type_=Numeric)
        case IndexKind.MONEY:
            amount = subfield_text(fields, full_key, "amount")
            return func.rapport_try_numeric(amount, type_=Numeric)
        case IndexKind.BOOLEAN:
            return func.rapport_try_boolean(text, type_=Boolean)
        case IndexKind.DATE:
            return func.rapport_try_date(text, type_=Date)
        case IndexKind.DATETIME:
            return func.rapport_try_timestamptz(text, type_=DateTime(timezone=True))
        case IndexKind.REFERENCE:
            ident = subfield_text(fields, full_key, "id")
            return func.rapport_try_uuid(ident, type_=PG_UUID(as_uuid=True))
        case IndexKind.MULTI:
            return member(fields, full_key)
    raise ValueError(f"unknown index kind {kind!r}")
