"""Deposits and refunds: integer minor units in the order's currency, written with the
order row locked so the deposit held can never go below zero."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks, audit, conflict, invalid
from rapport_plugins.dealership.events import announce
from rapport_plugins.dealership.models import Order, Payment
from rapport_plugins.dealership.orders import RECORD, held, log, order_of
from rapport_plugins.dealership.roles import require_owner_or_manager
from rapport_plugins.dealership.schemas import DepositIn, RefundIn

CLOSED = ("cancelled", "delivered", "unwound")


async def pay(db: AsyncSession, principal: Principal, hooks: TenantHooks, order_id: uuid.UUID,
              data: DepositIn) -> Payment:
    order = await order_of(db, principal, order_id, lock=True)
    require_owner_or_manager(principal, order.salesperson_id, "order")
    if order.state in CLOSED:
        raise conflict(f"A {order.state} order takes no deposit")
    if data.currency != order.currency:
        raise invalid("currency", f"the order is in {order.currency}")
    paid_at = data.paid_at or datetime.now(UTC)
    if paid_at.tzinfo is None:
        raise invalid("paid_at", "must carry a time zone")
    payment = await _write(db, principal, order, "deposit", data.amount_minor, paid_at,
                           data.receipt, None)
    await announce(db, principal, hooks, "dealership.deposit_paid", RECORD, order.id,
               {"amount_minor": data.amount_minor, "currency": order.currency,
                "receipt": data.receipt, "payment_id": payment.id})
    return payment


async def refund(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                 order_id: uuid.UUID, data: RefundIn) -> Payment:
    order = await order_of(db, principal, order_id, lock=True)
    require_owner_or_manager(principal, order.salesperson_id, "order")
    return await refund_locked(db, principal, hooks, order, data.amount_minor, data.reason,
                               data.receipt)


async def refund_locked(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                        order: Order, amount: int, reason: str,
                        receipt: str | None) -> Payment:
    holding = await held(db, order.tenant_id, order.id)
    if amount > holding:
        raise invalid("amount_minor", f"more than the deposit held ({holding})")
    payment = await _write(db, principal, order, "refund", amount, datetime.now(UTC), receipt,
                           reason)
    await announce(db, principal, hooks, "dealership.deposit_refunded", RECORD, order.id,
               {"amount_minor": amount, "currency": order.currency, "reason": reason,
                "payment_id": payment.id})
    return payment


async def _write(db: AsyncSession, principal: Principal, order: Order, kind: str, amount: int,
                 paid_at: datetime, receipt: str | None, reason: str | None) -> Payment:
    payment = Payment(tenant_id=order.tenant_id, order_id=order.id, kind=kind,
                      amount_minor=amount, currency=order.currency, paid_at=paid_at,
                      receipt=receipt, reason=reason, recorded_by=principal.membership_id)
    db.add(payment)
    await db.flush()
    verb = "Deposit paid" if kind == "deposit" else "Deposit refunded"
    await log(db, principal, order, kind, f"{verb}: {amount} {order.currency}",
              {"amount_minor": amount, "currency": order.currency, "receipt": receipt,
               "reason": reason})
    await audit.record(db, principal, audit.CREATE, "dealership.payment", payment.id,
                       changes={"kind": [None, kind], "amount_minor": [None, amount]},
                       detail={"order_id": str(order.id)})
    return payment


async def payments(db: AsyncSession, principal: Principal,
                   order_id: uuid.UUID) -> tuple[list[Payment], int]:
    order = await order_of(db, principal, order_id)
    rows = list((await db.execute(select(Payment).where(
        Payment.tenant_id == principal.tenant_id, Payment.order_id == order.id)
        .order_by(Payment.paid_at, Payment.id))).scalars())
    return rows, await held(db, principal.tenant_id, order.id)
