"""``?filter=field:op:value`` turned into SQL over core columns and custom fields.

Every condition is exact, read through ``expressions.typed_value``. For an indexed field a
probe of the ``field_values`` index is added in front (``id IN (SELECT record_id …)``):
it narrows the rows through a real index and may over-match (text cut to 256 characters,
numbers as float8), which the exact condition then corrects.

One ``eq``/``in`` filter on an indexed single-valued field may instead become a ``Walk``:
its index entries name each matching record once, in ``record_id`` order (migration 0016),
so a list ordered by id joins them to its records by primary key and ``LIMIT`` stops after
a page rather than sorting every match.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    SQLColumnExpression,
    Subquery,
    Text,
    and_,
    cast,
    literal,
    not_,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from rapport.core.fields import types
from rapport.core.fields.definitions import FieldDefinition, FieldType
from rapport.core.fields.expressions import (
    KIND_OF,
    TEXT_KEY_LENGTH,
    IndexKind,
    subfield_text,
    typed_value,
)
from rapport.core.fields.models import FieldValue
from rapport.errors import FieldError, RapportError

MAX_FILTERS = 20
MAX_FILTER_LENGTH = 1000
MAX_IN_VALUES = 100
CURRENCY_PART = "currency"


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"
    IN = "in"
    CONTAINS = "contains"
    IS_EMPTY = "is_empty"


_ORDERED = frozenset({Op.EQ, Op.NE, Op.LT, Op.LTE, Op.GT, Op.GTE, Op.IN, Op.IS_EMPTY})
_TEXTUAL = _ORDERED | {Op.CONTAINS}
_CHOICE = frozenset({Op.EQ, Op.NE, Op.IN, Op.IS_EMPTY})
OPERATORS: dict[FieldType, frozenset[Op]] = {
    FieldType.TEXT: _TEXTUAL,
    FieldType.LONG_TEXT: _TEXTUAL,
    FieldType.EMAIL: _TEXTUAL,
    FieldType.PHONE: _TEXTUAL,
    FieldType.URL: _TEXTUAL,
    FieldType.INTEGER: _ORDERED,
    FieldType.DECIMAL: _ORDERED,
    FieldType.MONEY: _ORDERED,
    FieldType.DATE: _ORDERED,
    FieldType.DATETIME: _ORDERED,
    FieldType.ENUM: _CHOICE,
    FieldType.REFERENCE: _CHOICE,
    FieldType.BOOLEAN: frozenset({Op.EQ, Op.NE, Op.IS_EMPTY}),
    FieldType.MULTI_ENUM: frozenset({Op.EQ, Op.NE, Op.CONTAINS, Op.IN, Op.IS_EMPTY}),
}
_COMPARE: dict[Op, Callable[[Any, Any], Any]] = {
    Op.EQ: lambda a, b: a == b,
    Op.LT: lambda a, b: a < b,
    Op.LTE: lambda a, b: a <= b,
    Op.GT: lambda a, b: a > b,
    Op.GTE: lambda a, b: a >= b,
}


@dataclass(frozen=True)
class IndexProbe:
    """Where an indexed field's entries live, so a filter can search them first."""

    record_id: SQLColumnExpression[Any]
    tenant_id: uuid.UUID
    entity: str
    full_key: str

    def matching(self, condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return self.record_id.in_(
            select(FieldValue.record_id).where(
                FieldValue.tenant_id == self.tenant_id,
                FieldValue.entity == self.entity,
                FieldValue.full_key == self.full_key,
                condition,
            )
        )


@dataclass(frozen=True)
class Walk:
    """An ``eq``/``in`` filter on an indexed single-valued field, as index entries to join.

    ``entries`` lists the ``record_id`` of each matching entry, newest first: for one value
    a backward range of its index, read only as far as the page needs; for several, the
    ids of one range per value, sorted (ids only: no record is read before the join). Such
    a field has one entry per record (ordinal 0), so the join neither repeats nor loses
    records; the filter's exact condition still decides, as entries may over-match.
    """

    entries: Subquery

    @property
    def record_id(self) -> ColumnElement[Any]:
        return self.entries.c.record_id

    def join_condition(self, record_id: SQLColumnExpression[Any]) -> ColumnElement[bool]:
        return self.record_id == record_id


@dataclass(frozen=True)
class FilterPlan:
    """A list's filters: plain conditions, and at most one of them as an index walk."""

    conditions: list[ColumnElement[bool]]
    walk: Walk | None = None


@dataclass(frozen=True)
class Target:
    """Something a list can be filtered and sorted by: a core column or a custom field.

    ``value`` is what conditions and sorts use; ``present`` is true when the record has a
    value; ``probe`` is set for indexed fields.
    """

    name: str
    type: FieldType
    value: ColumnElement[Any]
    present: ColumnElement[bool]
    definition: FieldDefinition | None = None
    probe: IndexProbe | None = None

    @property
    def kind(self) -> IndexKind:
        return KIND_OF[self.type]


def bad_query(param: str, message: str) -> RapportError:
    return RapportError(
        detail=f"{param}: {message}", status=400, errors=[FieldError(param, message)]
    )


def core_target(name: str, column: ColumnElement[Any], field_type: FieldType) -> Target:
    return Target(name, field_type, column, column.is_not(None))


def field_targets(
    fields: InstrumentedAttribute[dict[str, Any]],
    definitions: Sequence[FieldDefinition],
    *,
    record_id: SQLColumnExpression[Any],
    tenant_id: uuid.UUID,
) -> dict[str, Target]:
    """One target per stored field, plus ``<key>.currency`` for money fields."""
    out: dict[str, Target] = {}
    for d in definitions:
        if d.computed is not None:
            continue
        present = fields.has_key(d.full_key)
        value = typed_value(fields, d.full_key, KIND_OF[d.type])
        probe = IndexProbe(record_id, tenant_id, d.entity, d.full_key) if d.indexed else None
        out[d.full_key] = Target(d.full_key, d.type, value, present, d, probe)
        if d.type == FieldType.MONEY:
            currency = subfield_text(fields, d.full_key, CURRENCY_PART)
            name = f"{d.full_key}.{CURRENCY_PART}"
            out[name] = Target(name, FieldType.TEXT, currency, present)
    return out


def lookup_target(
    param: str, name: str, targets: Mapping[str, Target], definitions: Sequence[FieldDefinition]
) -> Target:
    target = targets.get(name)
    if target is not None:
        return target
    if any(d.full_key == name and d.computed is not None for d in definitions):
        raise bad_query(param, f"{name} is computed in Python and cannot be filtered or sorted")
    raise bad_query(param, f"unknown field {name!r}")


def _scalar(target: Target, raw: str) -> Any:
    """A query-string value in the Python type the target's SQL value compares with."""
    d = target.definition
    t = target.type
    if t in (FieldType.INTEGER, FieldType.DECIMAL, FieldType.MONEY):
        number = types.parse_decimal(raw)
        if t == FieldType.INTEGER and number != number.to_integral_value():
            raise types.ValueRuleError("must be an integer")
        return number
    if t == FieldType.BOOLEAN:
        if raw not in ("true", "false"):
            raise types.ValueRuleError("must be true or false")
        return raw == "true"
    if t == FieldType.DATE:
        return types.parse_date(raw)
    if t == FieldType.DATETIME:
        return types.parse_datetime(raw)
    if t == FieldType.REFERENCE:
        try:
            return uuid.UUID(raw)
        except ValueError as exc:
            raise types.ValueRuleError("must be the referenced record's UUID") from exc
    if t in (FieldType.ENUM, FieldType.MULTI_ENUM):
        assert d is not None
        if raw not in d.options:
            raise types.ValueRuleError("must be one of: " + ", ".join(d.options))
        return raw
    if d is not None and t in (FieldType.EMAIL, FieldType.PHONE, FieldType.URL):
        # The stored normal form (E.164, normalised email) is what equality must compare.
        return types.normalise(d, raw)
    return raw


def _values(target: Target, op: Op, raw: str) -> list[Any]:
    """The operand(s) of ``op``; none for is_empty, the raw text for a substring search."""
    if op == Op.IS_EMPTY:
        if raw not in ("", "true", "false"):
            raise types.ValueRuleError("is_empty takes true or false")
        return []
    if raw == "":
        raise types.ValueRuleError("needs a value (use is_empty for records without one)")
    if op == Op.CONTAINS and target.type != FieldType.MULTI_ENUM:
        return [raw]
    many = op == Op.IN or (op == Op.CONTAINS and target.type == FieldType.MULTI_ENUM)
    raws = raw.split(",") if many else [raw]
    if len(raws) > MAX_IN_VALUES:
        raise types.ValueRuleError(f"takes at most {MAX_IN_VALUES} values")
    return [_scalar(target, r) for r in raws]


def _exact(target: Target, op: Op, raw: str, values: list[Any]) -> ColumnElement[bool]:
    if op == Op.IS_EMPTY:
        return not_(target.present) if raw in ("", "true") else target.present
    if op == Op.CONTAINS and target.type != FieldType.MULTI_ENUM:
        return target.value.icontains(raw, autoescape=True)
    if target.type == FieldType.MULTI_ENUM:
        if op == Op.IN:
            return target.value.op("?|", return_type=None)(cast(values, ARRAY(Text)))
        chosen = types.normalise(target.definition, values) if target.definition else values
        as_json = literal(chosen, JSONB)
        if op == Op.CONTAINS:
            return target.value.op("@>", return_type=None)(as_json)
        return target.value == as_json if op == Op.EQ else target.value.is_distinct_from(as_json)
    bound = [literal(v, target.value.type) if isinstance(v, Decimal) else v for v in values]
    if op == Op.NE:
        # "not gold" includes records with no value at all.
        return target.value.is_distinct_from(bound[0])
    if op == Op.IN:
        return target.value.in_(bound)
    result: ColumnElement[bool] = _COMPARE[op](target.value, bound[0])
    return result


def _entry(kind: IndexKind, value: Any) -> tuple[SQLColumnExpression[Any], Any]:
    """The field_values column for ``kind`` and ``value`` as that column stores it."""
    if kind in (IndexKind.TEXT, IndexKind.MULTI):
        return FieldValue.text_value, str(value)[:TEXT_KEY_LENGTH]
    if kind in (IndexKind.NUMERIC, IndexKind.MONEY):
        # float8 rounding is monotone: x < v implies float(x) <= float(v), so the probe
        # below widens strict comparisons and the exact condition narrows them again.
        return FieldValue.number_value, float(value)
    column = {
        IndexKind.DATE: FieldValue.date_value,
        IndexKind.DATETIME: FieldValue.time_value,
        IndexKind.BOOLEAN: FieldValue.bool_value,
        IndexKind.REFERENCE: FieldValue.ref_value,
    }[kind]
    assert isinstance(value, date | datetime | bool | uuid.UUID)
    return column, value


def _probe(target: Target, op: Op, values: list[Any]) -> ColumnElement[bool] | None:
    """Index conditions implied by the exact one, or None when the index cannot help."""
    probe = target.probe
    if probe is None or not values or op in (Op.NE, Op.IS_EMPTY):
        return None
    kind = target.kind
    if op == Op.CONTAINS and kind != IndexKind.MULTI:
        return None
    entries = [_entry(kind, v) for v in values]
    column = entries[0][0]
    if op == Op.CONTAINS:  # every chosen value must be there: one probe per value
        return and_(*(probe.matching(column == v) for _, v in entries))
    if op == Op.IN or kind == IndexKind.MULTI:  # a multi-enum's eq needs its first choice
        if op == Op.EQ:
            entries = entries[:1]
        return probe.matching(column.in_([v for _, v in entries]))
    lossy = kind in (IndexKind.TEXT, IndexKind.NUMERIC, IndexKind.MONEY)
    widened = {Op.LT: Op.LTE, Op.GT: Op.GTE}.get(op, op) if lossy else op
    return probe.matching(_COMPARE[widened](column, entries[0][1]))


def _parse(
    raw: str, targets: Mapping[str, Target], definitions: Sequence[FieldDefinition]
) -> tuple[Target, Op, list[Any], ColumnElement[bool]]:
    """``field:op:value`` → its target, operator, operands and exact condition."""
    if "\x00" in raw:
        raise bad_query("filter", "must not contain NUL characters")
    if len(raw) > MAX_FILTER_LENGTH:
        raise bad_query("filter", f"at most {MAX_FILTER_LENGTH} characters each")
    parts = raw.split(":", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise bad_query("filter", f"{raw!r} is not field:op:value")
    name, op_name = parts[0], parts[1]
    value = parts[2] if len(parts) == 3 else ""
    target = lookup_target("filter", name, targets, definitions)
    try:
        op = Op(op_name)
    except ValueError:
        raise bad_query(
            "filter", f"unknown operator {op_name!r} (use {', '.join(Op)})"
        ) from None
    allowed = OPERATORS[target.type]
    if op not in allowed:
        names = ", ".join(o for o in Op if o in allowed)
        raise bad_query(
            "filter", f"operator {op} does not apply to {target.type} field {name} (use {names})"
        )
    try:
        values = _values(target, op, value)
        exact = _exact(target, op, value, values)
    except types.ValueRuleError as exc:
        raise bad_query("filter", f"{name}:{op}: {exc}") from exc
    return target, op, values, exact


def parse_filter(
    raw: str, targets: Mapping[str, Target], definitions: Sequence[FieldDefinition]
) -> ColumnElement[bool]:
    """``field:op:value`` → a SQL condition. Bad syntax, fields or values → 400 naming them."""
    target, op, values, exact = _parse(raw, targets, definitions)
    probe = _probe(target, op, values)
    return exact if probe is None else and_(probe, exact)


def _walk(target: Target, op: Op, values: list[Any]) -> Walk | None:
    """The filter as an index walk: ``eq``/``in`` on an indexed single-valued field."""
    if target.probe is None or target.kind == IndexKind.MULTI or op not in (Op.EQ, Op.IN):
        return None
    # Distinct as stored (two decimals may round to one float8): the ranges must not overlap.
    stored = list(dict.fromkeys(_entry(target.kind, v)[1] for v in values))
    column = _entry(target.kind, values[0])[0]
    probe = target.probe
    ranges = [
        select(FieldValue.record_id).where(
            FieldValue.tenant_id == probe.tenant_id,
            FieldValue.entity == probe.entity,
            FieldValue.full_key == probe.full_key,
            FieldValue.ordinal == 0,
            column == value,
        )
        for value in stored
    ]
    # Ordered here, like the default list: the join then follows this order whatever the
    # planner estimates for the exact condition (it under-estimates jsonb casts, and would
    # otherwise fetch every match and sort the records).
    if len(ranges) == 1:
        ordered = ranges[0].order_by(FieldValue.record_id.desc())
    else:
        merged = union_all(*ranges).subquery("ranges")
        ordered = select(merged.c.record_id).order_by(merged.c.record_id.desc())
    return Walk(ordered.subquery("walked"))


def parse_filters(
    raws: Sequence[str], targets: Mapping[str, Target], definitions: Sequence[FieldDefinition]
) -> list[ColumnElement[bool]]:
    if len(raws) > MAX_FILTERS:
        raise bad_query("filter", f"at most {MAX_FILTERS} filters")
    return [parse_filter(r, targets, definitions) for r in raws]


def plan_filters(
    raws: Sequence[str], targets: Mapping[str, Target], definitions: Sequence[FieldDefinition]
) -> FilterPlan:
    """Like ``parse_filters``, with the first filter that can be walked in record order
    taken out as the plan's ``walk`` (its exact condition stays among the conditions)."""
    if len(raws) > MAX_FILTERS:
        raise bad_query("filter", f"at most {MAX_FILTERS} filters")
    conditions: list[ColumnElement[bool]] = []
    walk: Walk | None = None
    for raw in raws:
        target, op, values, exact = _parse(raw, targets, definitions)
        if walk is None and (walk := _walk(target, op, values)) is not None:
            conditions.append(exact)
            continue
        probe = _probe(target, op, values)
        conditions.append(exact if probe is None else and_(probe, exact))
    return FilterPlan(conditions, walk)
