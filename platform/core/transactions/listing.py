"""Transaction lists: newest purchase first, by when it happened, paged by a cursor.

Transactions often arrive late (a till syncs overnight), so insertion order is not time
order: the list orders by ``(occurred_at, id)`` and the cursor carries both, which keeps
pages exact when many transactions share a timestamp. Each filter has an index led by
``(tenant_id, <filter>, occurred_at, id)``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from sqlalchemy import Select, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.pagination import Page, check_limit, cut, decode_position
from rapport.core.transactions.models import Transaction
from rapport.errors import invalid
from rapport.tenancy.principal import Principal


@dataclass(frozen=True)
class TransactionFilters:
    contact_id: uuid.UUID | None = None
    channel: str | None = None
    kind: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive


TransactionPage: TypeAlias = Page[Transaction]


def _aware(field: str, value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise invalid(field, "needs a UTC offset, e.g. 2030-01-31T09:00:00Z")
    return value


def list_statement(
    tenant_id: uuid.UUID,
    filters: TransactionFilters,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> Select[Transaction]:
    """The list query (exposed so tests can EXPLAIN exactly what the endpoint runs)."""
    query = select(Transaction).where(Transaction.tenant_id == tenant_id)
    if filters.contact_id is not None:
        query = query.where(Transaction.contact_id == filters.contact_id)
    if filters.channel is not None:
        query = query.where(Transaction.channel == filters.channel)
    if filters.kind is not None:
        query = query.where(Transaction.kind == filters.kind)
    if filters.since is not None:
        query = query.where(Transaction.occurred_at >= filters.since)
    if filters.until is not None:
        query = query.where(Transaction.occurred_at < filters.until)
    if cursor:
        at, last_id = decode_position(cursor)
        query = query.where(tuple_(Transaction.occurred_at, Transaction.id) < tuple_(at, last_id))
    return query.order_by(Transaction.occurred_at.desc(), Transaction.id.desc()).limit(limit + 1)


async def list_transactions(
    session: AsyncSession,
    actor: Principal,
    filters: TransactionFilters,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> TransactionPage:
    check_limit(limit)
    _aware("since", filters.since)
    _aware("until", filters.until)
    query = list_statement(actor.tenant_id, filters, cursor=cursor, limit=limit)
    rows = list((await session.execute(query)).scalars())
    return cut(rows, limit, lambda t: (t.occurred_at, t.id))
