"""``?sort=[-]field`` with keyset pagination: the cursor carries the last sort value and id,
so pages stay stable while rows are inserted, whatever the sort."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import SQLColumnExpression, and_, literal, or_
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement, UnaryExpression

from rapport.core import pagination
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.expressions import IndexKind
from rapport.core.fields.filters import Target, lookup_target

MAX_CURSOR = 4096


@dataclass(frozen=True)
class Sort:
    """One sort key; rows without a value come last either way, ties go by id."""

    spec: str
    target: Target
    descending: bool

    @property
    def value(self) -> ColumnElement[Any]:
        return self.target.value

    def order_by(self, id_column: SQLColumnExpression[Any]) -> list[UnaryExpression[Any]]:
        if self.descending:
            return [self.value.desc().nulls_last(), id_column.desc()]
        return [self.value.asc().nulls_last(), id_column.asc()]

    def after(self, id_column: SQLColumnExpression[Any], value: Any, last_id: uuid.UUID) -> Any:
        """Rows strictly after (``value``, ``last_id``) in this order."""
        if value is None:
            beyond_id = id_column < last_id if self.descending else id_column > last_id
            return and_(self.value.is_(None), beyond_id)
        bound = literal(value, JSONB) if self.target.kind == IndexKind.MULTI else value
        beyond = self.value < bound if self.descending else self.value > bound
        tie_id = id_column < last_id if self.descending else id_column > last_id
        return or_(beyond, and_(self.value == bound, tie_id), self.value.is_(None))

    def key(self, row: Any) -> tuple[str, Any, uuid.UUID]:
        """The cursor key of a ``(record, sort value)`` row: the sort it was issued for, the
        value as JSON can carry it, and the id."""
        record, value = row[0], row[1]
        if isinstance(value, date):  # datetimes too
            value = value.isoformat()
        elif isinstance(value, Decimal | uuid.UUID):
            value = str(value)
        return (self.spec, value, record.id)

    def decode(self, cursor: str) -> tuple[Any, uuid.UUID]:
        spec, value, last_id = pagination.decode(cursor, tuple[str, Any, uuid.UUID])
        if spec != self.spec:
            raise pagination.bad_cursor("was issued for a different sort")
        try:
            return _typed(self.target, value), last_id
        except (ValueError, TypeError, InvalidOperation) as exc:
            raise pagination.bad_cursor() from exc


def _typed(target: Target, value: Any) -> Any:
    if value is None:
        return None
    kind = target.kind
    if kind in (IndexKind.NUMERIC, IndexKind.MONEY):
        return Decimal(str(value))
    if kind == IndexKind.DATE:
        return date.fromisoformat(value)
    if kind == IndexKind.DATETIME:
        return datetime.fromisoformat(value)
    if kind == IndexKind.REFERENCE:
        return uuid.UUID(value)
    if kind == IndexKind.BOOLEAN and not isinstance(value, bool):
        raise ValueError("not a boolean")
    if kind == IndexKind.TEXT and not isinstance(value, str):
        raise ValueError("not a string")
    return value


def parse_sort(
    raw: str | None, targets: Mapping[str, Target], definitions: Sequence[FieldDefinition]
) -> Sort | None:
    if not raw:
        return None
    descending = raw.startswith("-")
    name = raw[1:] if descending else raw
    return Sort(raw, lookup_target("sort", name, targets, definitions), descending)
