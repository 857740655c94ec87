"""The contact view's dealership section: open orders and what is promised (one query)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from rapport.sdk import ContactSummaryQuery
from rapport_plugins.dealership.models import Order, Promise

OPEN = ("cancelled", "delivered", "unwound")


async def for_contact(query: ContactSummaryQuery) -> dict[str, Any]:
    now = datetime.now(UTC)
    orders = (select(func.count()).where(
        Order.tenant_id == query.tenant_id, Order.contact_id == query.contact_id,
        Order.state.not_in(OPEN)).scalar_subquery())
    open_p = select(func.count()).where(
        Promise.tenant_id == query.tenant_id, Promise.contact_id == query.contact_id,
        Promise.status == "open")
    overdue = open_p.where(Promise.due_at < now)
    row = (await query.session.execute(select(
        orders, open_p.scalar_subquery(), overdue.scalar_subquery()))).one()
    if not any(row):
        return {}
    return {"dealership": {"open_orders": row[0], "open_promises": row[1],
                           "overdue_promises": row[2]}}
