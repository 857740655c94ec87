"""The sales manager's daily numbers: quotes written, deposits taken, deals closed (a deposit
paid that day), the closing ratio, deliveries with their front gross (net price less any
over-allowance on the trade-in) and the day's back gross (F&I products less cost and
chargebacks), and the open orders already past their promised delivery date.

One statement of scalar subqueries, each over one day of an indexed table. Money is summed
in the tenant's currency (settings) only."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport_plugins.dealership.models import FiProduct, Order, OrderLog, Payment, TradeIn
from rapport_plugins.dealership.schemas import DailyNumbers

CLOSED = ("delivered", "cancelled", "unwound")


async def numbers(db: AsyncSession, tenant_id: uuid.UUID, day: date,
                  currency: str) -> DailyNumbers:
    since = datetime.combine(day, time.min, UTC)
    until = since + timedelta(days=1)
    over = (select(func.coalesce(func.sum(func.greatest(
        TradeIn.allowance_minor - TradeIn.actual_cash_value_minor, 0)), 0))
        .where(TradeIn.tenant_id == tenant_id, TradeIn.order_id == Order.id)
        .scalar_subquery())
    quotes = select(func.count()).where(
        Order.tenant_id == tenant_id, Order.created_at >= since, Order.created_at < until)
    deposits = select(func.count(), func.coalesce(func.sum(Payment.amount_minor), 0)).where(
        Payment.tenant_id == tenant_id, Payment.kind == "deposit", Payment.paid_at >= since,
        Payment.paid_at < until, Payment.currency == currency)
    closed = select(func.count()).where(
        OrderLog.tenant_id == tenant_id, OrderLog.kind == "stage",
        OrderLog.created_at >= since, OrderLog.created_at < until,
        OrderLog.data["to"].astext == "deposit_paid")
    delivered = select(func.count(), func.coalesce(func.sum(
        Order.price_minor - Order.discount_minor - over), 0)).where(
        Order.tenant_id == tenant_id, Order.delivered_on == day, Order.state == "delivered",
        Order.currency == currency)
    back = select(func.coalesce(func.sum(
        FiProduct.price_minor - FiProduct.cost_minor - FiProduct.chargeback_minor), 0)).where(
        FiProduct.tenant_id == tenant_id, FiProduct.created_at >= since,
        FiProduct.created_at < until, FiProduct.currency == currency)
    late = select(func.count()).where(
        Order.tenant_id == tenant_id, Order.state.not_in(CLOSED),
        Order.expected_delivery < day)
    n_quotes = int(await db.scalar(quotes) or 0)
    n_deposits, deposit_sum = (await db.execute(deposits)).one()
    n_closed = int(await db.scalar(closed) or 0)
    n_delivered, front = (await db.execute(delivered)).one()
    back_gross = int(await db.scalar(back) or 0)
    n_late = int(await db.scalar(late) or 0)
    return DailyNumbers(
        day=day, currency=currency, quotes=n_quotes, deposits=int(n_deposits),
        deposits_minor=int(deposit_sum), deals_closed=n_closed,
        closing_ratio=round(n_closed / n_quotes, 4) if n_quotes else None,
        deliveries=int(n_delivered), front_gross_minor=int(front), back_gross_minor=back_gross,
        open_orders_past_promised_date=n_late)
