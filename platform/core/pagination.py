"""Keyset pages: one cursor format and one way to cut a page, for every list in the kernel
and the plugins.

A list fetches ``limit + 1`` rows in its order; ``cut`` keeps ``limit`` of them and, when
the extra row says another page follows, issues a cursor holding the last row's sort key.
The next request decodes that key and asks for rows strictly after it, so pages stay exact
while rows are being inserted. Cursors are opaque to clients: an encoded JSON list of the
key's parts; anything that does not decode to the expected parts is a 400 naming
``cursor``.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar, TypeVarTuple

import msgspec
from sqlalchemy import Select, SQLColumnExpression

from rapport.errors import FieldError, RapportError

T = TypeVar("T")
U = TypeVar("U")
Ts = TypeVarTuple("Ts")

MAX_LIMIT = 200
# The longest cursor a fixed-key list issues is well under this; the bound is for query
# params (sorted lists carry a field value and allow more: fields.sorting.MAX_CURSOR).
MAX_CURSOR = 400
# Times we store lie well inside these; a cursor outside them was not issued by us (and
# could overflow when a list steps a microsecond past it).
_EARLIEST = datetime(1800, 1, 1, tzinfo=UTC)
_LATEST = datetime(2300, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None

    def map(self, fn: Callable[[T], U]) -> Page[U]:
        """The same page (and cursor) with each item turned into what the caller shows."""
        return Page([fn(item) for item in self.items], self.next_cursor)


class _Identified(Protocol):
    @property
    def id(self) -> uuid.UUID: ...


def by_id(row: _Identified) -> tuple[uuid.UUID]:
    """The key of a list ordered by its time-ordered id alone."""
    return (row.id,)


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise RapportError(detail=f"limit: must be between 1 and {MAX_LIMIT}", status=400)


def cut(rows: Sequence[T], limit: int, key: Callable[[T], tuple[Any, ...]]) -> Page[T]:
    """The page in ``rows`` (fetched with ``limit + 1``), with a cursor after its last row
    when another page follows."""
    items = list(rows[:limit])
    more = len(rows) > limit
    return Page(items, encode(*key(items[-1])) if more and items else None)


def newest_first(
    query: Select[*Ts], id_column: SQLColumnExpression[Any], cursor: str | None, limit: int
) -> Select[*Ts]:
    """``query`` as a ``by_id`` list: newest first by its time-ordered id, after the
    cursor, one row more than the page."""
    if cursor:
        query = query.where(id_column < decode_id(cursor))
    return query.order_by(id_column.desc()).limit(limit + 1)


def bad_cursor(message: str = "not a cursor this API issued") -> RapportError:
    return RapportError(
        detail=f"cursor: {message}", status=400, errors=[FieldError("cursor", message)]
    )


def encode(*parts: object) -> str:
    """An opaque, URL-safe cursor of a few JSON-serialisable parts (datetimes, uuids, str,
    numbers)."""
    raw = msgspec.json.encode([str(p) if isinstance(p, uuid.UUID) else p for p in parts])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, types: type[T]) -> T:
    """The parts of ``cursor`` as ``types`` (a ``tuple[...]`` type); 400 for anything we did
    not issue, including a time outside what we store."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = msgspec.json.decode(raw, type=types)
    # RecursionError: a part typed Any (a sort value) nested ~1,000 deep; a 400, not a 500.
    except (binascii.Error, ValueError, msgspec.DecodeError, RecursionError) as exc:
        raise bad_cursor() from exc
    if isinstance(parts, tuple) and not all(map(_issued, parts)):
        raise bad_cursor()
    return parts


def decode_id(cursor: str) -> uuid.UUID:
    """The id a ``by_id`` cursor points after."""
    (last_id,) = decode(cursor, tuple[uuid.UUID])
    return last_id


def decode_position(cursor: str) -> tuple[datetime, uuid.UUID]:
    """The ``(time, id)`` a cursor of a newest-first list of events points after."""
    return decode(cursor, tuple[datetime, uuid.UUID])


def _issued(part: object) -> bool:
    if not isinstance(part, datetime):
        return True
    return part.tzinfo is not None and _EARLIEST <= part < _LATEST
