"""Trade-in appraisals, financing applications and F&I products on an order. Each is
written with the order row locked; a declined application can refund the deposit held in
the same transaction. No card or national-id numbers: a lender reference that looks like
a card number is refused."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks, audit, conflict, invalid, not_found
from rapport_plugins.dealership.catalogue import settings_of
from rapport_plugins.dealership.events import announce
from rapport_plugins.dealership.models import FinanceApplication, FiProduct, Order, TradeIn
from rapport_plugins.dealership.money import refund_locked
from rapport_plugins.dealership.orders import RECORD, held, log, order_of
from rapport_plugins.dealership.roles import require_owner_or_manager
from rapport_plugins.dealership.schemas import (
    ChargebackIn,
    FinanceDecisionIn,
    FinanceIn,
    ProductIn,
    TradeInIn,
)
from rapport_plugins.dealership.vin import clean_vin

CLOSED = ("cancelled", "unwound")
_DIGITS = re.compile(r"\d[\d -]{11,22}\d")


def _looks_like_a_card(text: str) -> bool:
    """13 to 19 digits (spaces or dashes between) passing Luhn: a payment card number."""
    for found in _DIGITS.finditer(text):
        digits = [int(c) for c in found.group() if c.isdigit()]
        if 13 <= len(digits) <= 19:
            total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2)
                        for i, d in enumerate(reversed(digits)))
            if total % 10 == 0:
                return True
    return False


async def _open_order(db: AsyncSession, principal: Principal, order_id: uuid.UUID) -> Order:
    order = await order_of(db, principal, order_id, lock=True)
    require_owner_or_manager(principal, order.salesperson_id, "order")
    if order.state in CLOSED:
        raise conflict(f"A {order.state} order cannot change")
    return order


async def appraise(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                   order_id: uuid.UUID, data: TradeInIn) -> TradeIn:
    order = await _open_order(db, principal, order_id)
    settings = await settings_of(db, principal)
    vin = clean_vin(data.vin, settings.market)
    if data.payoff_minor and not data.lienholder:
        raise invalid("lienholder", "who is owed the payoff")
    row = TradeIn(tenant_id=order.tenant_id, order_id=order.id, vin=vin,
                  description=data.description, mileage_km=data.mileage_km,
                  condition=data.condition, currency=order.currency,
                  actual_cash_value_minor=data.actual_cash_value_minor,
                  allowance_minor=data.allowance_minor, payoff_minor=data.payoff_minor,
                  lienholder=data.lienholder, valid_until=data.valid_until,
                  appraised_by=principal.membership_id)
    db.add(row)
    order.trade_in_minor = data.allowance_minor
    await db.flush()
    await log(db, principal, order, "trade_in", f"Trade-in {vin} appraised",
              {"vin": vin, "allowance_minor": data.allowance_minor,
               "actual_cash_value_minor": data.actual_cash_value_minor})
    await announce(db, principal, hooks, "dealership.trade_in_appraised", RECORD, order.id,
                   {"trade_in_id": row.id, "vin": vin, "allowance_minor": row.allowance_minor,
                    "actual_cash_value_minor": row.actual_cash_value_minor})
    return row


async def apply(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                order_id: uuid.UUID, data: FinanceIn) -> FinanceApplication:
    order = await _open_order(db, principal, order_id)
    if data.lender_reference and _looks_like_a_card(data.lender_reference):
        raise invalid("lender_reference", "looks like a card number; store the lender's "
                                          "reference or link only")
    row = FinanceApplication(tenant_id=order.tenant_id, order_id=order.id, lender=data.lender,
                             lender_reference=data.lender_reference, currency=order.currency,
                             amount_minor=data.amount_minor, status="submitted")
    db.add(row)
    await db.flush()
    await log(db, principal, order, "financing", f"Financing applied for with {data.lender}",
              {"application_id": row.id, "amount_minor": data.amount_minor,
               "lender": data.lender})
    await announce(db, principal, hooks, "dealership.financing_submitted", RECORD, order.id,
                   {"application_id": row.id, "lender": row.lender,
                    "amount_minor": row.amount_minor})
    return row


async def application_of(db: AsyncSession, order: Order,
                         application_id: uuid.UUID) -> FinanceApplication:
    row = (await db.execute(select(FinanceApplication).where(
        FinanceApplication.tenant_id == order.tenant_id,
        FinanceApplication.order_id == order.id, FinanceApplication.id == application_id)
        .with_for_update())).scalar_one_or_none()
    if row is None:
        raise not_found("Financing application")
    return row


async def decide(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                 order_id: uuid.UUID, application_id: uuid.UUID,
                 data: FinanceDecisionIn) -> FinanceApplication:
    order = await _open_order(db, principal, order_id)
    row = await application_of(db, order, application_id)
    if row.status != "submitted":
        raise conflict(f"The application is already {row.status}")
    if data.refund_deposit and data.status == "approved":
        raise invalid("refund_deposit", "only when financing failed")
    row.status, row.decided_at, row.note = data.status, datetime.now(UTC), data.note
    await db.flush()
    await log(db, principal, order, "financing", f"Financing {data.status} by {row.lender}",
              {"application_id": row.id, "status": data.status, "lender": row.lender})
    if data.refund_deposit:
        holding = await held(db, order.tenant_id, order.id)
        if holding > 0:
            await refund_locked(db, principal, hooks, order, holding,
                                f"financing {data.status} by {row.lender}", None)
    await audit.record(db, principal, audit.UPDATE, "dealership.financing", row.id,
                       changes={"status": ["submitted", data.status]})
    await announce(db, principal, hooks, f"dealership.financing_{data.status}", RECORD,
                   order.id, {"application_id": row.id, "lender": row.lender,
                              "refund_deposit": data.refund_deposit})
    return row


async def sell_product(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                       order_id: uuid.UUID, data: ProductIn) -> FiProduct:
    order = await _open_order(db, principal, order_id)
    row = FiProduct(tenant_id=order.tenant_id, order_id=order.id, kind=data.kind,
                    provider=data.provider, currency=order.currency,
                    price_minor=data.price_minor, cost_minor=data.cost_minor,
                    sold_by=principal.membership_id)
    db.add(row)
    await db.flush()
    await log(db, principal, order, "product", f"{data.kind} sold ({data.provider})",
              {"product_id": row.id, "price_minor": data.price_minor, "kind": data.kind,
               "provider": data.provider})
    await announce(db, principal, hooks, "dealership.product_sold", RECORD, order.id,
                   {"product_id": row.id, "kind": row.kind, "price_minor": row.price_minor})
    return row


async def charge_back(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                      order_id: uuid.UUID, product_id: uuid.UUID,
                      data: ChargebackIn) -> FiProduct:
    order = await order_of(db, principal, order_id, lock=True)
    require_owner_or_manager(principal, order.salesperson_id, "order")
    row = (await db.execute(select(FiProduct).where(
        FiProduct.tenant_id == order.tenant_id, FiProduct.order_id == order.id,
        FiProduct.id == product_id).with_for_update())).scalar_one_or_none()
    if row is None:
        raise not_found("Product")
    if row.chargeback_minor + data.amount_minor > row.price_minor:
        raise invalid("amount_minor", f"at most the price not yet charged back "
                                      f"({row.price_minor - row.chargeback_minor})")
    row.chargeback_minor += data.amount_minor
    row.chargeback_reason, row.charged_back_at = data.reason, datetime.now(UTC)
    await db.flush()
    await log(db, principal, order, "chargeback", f"{row.kind} charged back: {data.reason}",
              {"product_id": row.id, "amount_minor": data.amount_minor, "kind": row.kind,
               "reason": data.reason})
    await announce(db, principal, hooks, "dealership.product_charged_back", RECORD, order.id,
                   {"product_id": row.id, "amount_minor": data.amount_minor,
                    "reason": data.reason})
    return row


async def rows_of(db: AsyncSession, principal: Principal, order_id: uuid.UUID,
                  model: Any) -> list[Any]:
    order = await order_of(db, principal, order_id)
    return list((await db.execute(select(model).where(
        model.tenant_id == order.tenant_id, model.order_id == order.id)
        .order_by(model.created_at, model.id))).scalars())
