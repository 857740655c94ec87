"""The sales manager's daily numbers: showroom traffic, appointments set, due and shown,
quotes written, deposits taken, deals closed (a deposit paid that day), the closing ratios,
deliveries with their front gross (net price less any over-allowance on the trade-in) and
the day's back gross (F&I products less cost and chargebacks), and the open orders already
past their promised delivery date.

One statement of scalar subqueries, each over one day of an indexed table. Money is summed
in the tenant's currency (settings) only. A branch manager's numbers cover their branch:
rows without a branch column of their own (payments, stage changes, F&I products) count
through their order's branch."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from rapport_plugins.dealership.models import (
    Appointment,
    FiProduct,
    Order,
    OrderLog,
    Payment,
    TradeIn,
    Visit,
)
from rapport_plugins.dealership.schemas import DailyNumbers

CLOSED = ("delivered", "cancelled", "unwound")


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


async def numbers(db: AsyncSession, tenant_id: uuid.UUID, day: date, currency: str,
                  branch: str | None = None) -> DailyNumbers:
    since = datetime.combine(day, time.min, UTC)
    until = since + timedelta(days=1)

    def mine(column: Any) -> Any:
        return true() if branch is None else column == branch

    def of_branch(order_id: Any) -> Any:
        if branch is None:
            return true()
        return order_id.in_(select(Order.id).where(Order.tenant_id == tenant_id,
                                                   Order.branch == branch))

    def one(*columns: Any) -> Any:
        return select(*columns)

    over = (select(func.coalesce(func.sum(func.greatest(
        TradeIn.allowance_minor - TradeIn.actual_cash_value_minor, 0)), 0))
        .where(TradeIn.tenant_id == tenant_id, TradeIn.order_id == Order.id)
        .scalar_subquery())
    traffic = one(func.count()).where(
        Visit.tenant_id == tenant_id, Visit.arrived_at >= since, Visit.arrived_at < until,
        mine(Visit.branch))
    set_ = one(func.count()).where(
        Appointment.tenant_id == tenant_id, Appointment.created_at >= since,
        Appointment.created_at < until, mine(Appointment.branch))
    due = select(func.count(), func.count().filter(Appointment.status == "shown")).where(
        Appointment.tenant_id == tenant_id, Appointment.scheduled_at >= since,
        Appointment.scheduled_at < until, Appointment.status != "cancelled",
        mine(Appointment.branch)).subquery()
    quotes = one(func.count()).where(
        Order.tenant_id == tenant_id, Order.created_at >= since, Order.created_at < until,
        mine(Order.branch))
    deposits = select(func.count().label("n"),
                      func.coalesce(func.sum(Payment.amount_minor), 0).label("total")).where(
        Payment.tenant_id == tenant_id, Payment.kind == "deposit", Payment.paid_at >= since,
        Payment.paid_at < until, Payment.currency == currency,
        of_branch(Payment.order_id)).subquery()
    closed = one(func.count()).where(
        OrderLog.tenant_id == tenant_id, OrderLog.kind == "stage",
        OrderLog.created_at >= since, OrderLog.created_at < until,
        OrderLog.data["to"].astext == "deposit_paid", of_branch(OrderLog.order_id))
    delivered = select(func.count().label("n"), func.coalesce(func.sum(
        Order.price_minor - Order.discount_minor - over), 0).label("front")).where(
        Order.tenant_id == tenant_id, Order.delivered_on == day, Order.state == "delivered",
        Order.currency == currency, mine(Order.branch)).subquery()
    back = one(func.coalesce(func.sum(
        FiProduct.price_minor - FiProduct.cost_minor - FiProduct.chargeback_minor), 0)).where(
        FiProduct.tenant_id == tenant_id, FiProduct.created_at >= since,
        FiProduct.created_at < until, FiProduct.currency == currency,
        of_branch(FiProduct.order_id))
    late = one(func.count()).where(
        Order.tenant_id == tenant_id, Order.state.not_in(CLOSED),
        Order.expected_delivery < day, mine(Order.branch))
    row = (await db.execute(select(
        traffic.scalar_subquery(), set_.scalar_subquery(), *due.c, quotes.scalar_subquery(),
        deposits.c.n, deposits.c.total, closed.scalar_subquery(), delivered.c.n,
        delivered.c.front, back.scalar_subquery(), late.scalar_subquery(),
    ).select_from(due).join(deposits, true()).join(delivered, true()))).one()
    (n_traffic, n_set, n_due, n_shown, n_quotes, n_deposits, deposit_sum, n_closed,
     n_delivered, front, back_gross, n_late) = (int(v or 0) for v in row)
    return DailyNumbers(
        day=day, currency=currency, quotes=n_quotes, deposits=n_deposits,
        deposits_minor=deposit_sum, deals_closed=n_closed,
        closing_ratio=_ratio(n_closed, n_quotes), deliveries=n_delivered,
        front_gross_minor=front, back_gross_minor=back_gross,
        open_orders_past_promised_date=n_late, branch=branch, traffic=n_traffic,
        appointments_set=n_set, appointments_due=n_due, appointments_shown=n_shown,
        show_ratio=_ratio(n_shown, n_due), closing_ratio_traffic=_ratio(n_closed, n_traffic))
