"""``/orders/{id}/trade-ins``, ``/financing`` and ``/products``: what the buyer trades in,
how they pay for the rest, and the F&I products sold with the car."""

from __future__ import annotations

import uuid

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks
from rapport_plugins.dealership import finance
from rapport_plugins.dealership.models import FinanceApplication, FiProduct, TradeIn
from rapport_plugins.dealership.schemas import (
    ChargebackIn,
    FinanceDecisionIn,
    FinanceIn,
    FinanceList,
    FinanceOut,
    ProductIn,
    ProductList,
    ProductOut,
    TradeInIn,
    TradeInList,
    TradeInOut,
)


def trade_in_out(t: TradeIn) -> TradeInOut:
    return TradeInOut(t.id, t.order_id, t.vin, t.description, t.mileage_km, t.condition,
                      t.currency, t.actual_cash_value_minor, t.allowance_minor,
                      t.allowance_minor - t.actual_cash_value_minor, t.payoff_minor,
                      t.lienholder, t.allowance_minor - t.payoff_minor, t.valid_until,
                      t.created_at)


def finance_out(f: FinanceApplication) -> FinanceOut:
    return FinanceOut(f.id, f.order_id, f.lender, f.lender_reference, f.currency,
                      f.amount_minor, f.status, f.decided_at, f.note, f.created_at)


def product_out(p: FiProduct) -> ProductOut:
    return ProductOut(p.id, p.order_id, p.kind, p.provider, p.currency, p.price_minor,
                      p.cost_minor, p.chargeback_minor, p.chargeback_reason,
                      p.price_minor - p.cost_minor - p.chargeback_minor, p.created_at)


class OrderFinanceController(Controller):
    path = "/orders/{order_id:uuid}"

    @post("/trade-ins", status_code=201)
    async def appraise(self, order_id: FromPath[uuid.UUID], data: JSONBody[TradeInIn],
                       principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                       hooks: NamedDependency[TenantHooks]) -> TradeInOut:
        """An appraisal: actual cash value against the allowance given, payoff and
        lienholder, equity, valid until. The allowance becomes the order's trade-in."""
        return trade_in_out(await finance.appraise(db, principal, hooks, order_id, data))

    @get("/trade-ins")
    async def trade_ins(self, order_id: FromPath[uuid.UUID],
                        principal: NamedDependency[Principal],
                        db: NamedDependency[AsyncSession]) -> TradeInList:
        rows = await finance.rows_of(db, principal, order_id, TradeIn)
        return TradeInList([trade_in_out(t) for t in rows])

    @post("/financing", status_code=201)
    async def apply(self, order_id: FromPath[uuid.UUID], data: JSONBody[FinanceIn],
                    principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                    hooks: NamedDependency[TenantHooks]) -> FinanceOut:
        """A financing application: the lender and its reference (never a card number)."""
        return finance_out(await finance.apply(db, principal, hooks, order_id, data))

    @get("/financing")
    async def applications(self, order_id: FromPath[uuid.UUID],
                           principal: NamedDependency[Principal],
                           db: NamedDependency[AsyncSession]) -> FinanceList:
        rows = await finance.rows_of(db, principal, order_id, FinanceApplication)
        return FinanceList([finance_out(f) for f in rows])

    @post("/financing/{application_id:uuid}/decision", status_code=200)
    async def decision(self, order_id: FromPath[uuid.UUID],
                       application_id: FromPath[uuid.UUID],
                       data: JSONBody[FinanceDecisionIn],
                       principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                       hooks: NamedDependency[TenantHooks]) -> FinanceOut:
        """The lender's answer; ``refund_deposit`` when financing failed refunds the
        deposit held in the same step."""
        return finance_out(await finance.decide(db, principal, hooks, order_id,
                                                application_id, data))

    @post("/products", status_code=201)
    async def sell(self, order_id: FromPath[uuid.UUID], data: JSONBody[ProductIn],
                   principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                   hooks: NamedDependency[TenantHooks]) -> ProductOut:
        """A finance-and-insurance product sold with the car (warranty, GAP, …)."""
        return product_out(await finance.sell_product(db, principal, hooks, order_id, data))

    @get("/products")
    async def products(self, order_id: FromPath[uuid.UUID],
                       principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession]) -> ProductList:
        rows = await finance.rows_of(db, principal, order_id, FiProduct)
        return ProductList([product_out(p) for p in rows])

    @post("/products/{product_id:uuid}/chargeback", status_code=200)
    async def chargeback(self, order_id: FromPath[uuid.UUID], product_id: FromPath[uuid.UUID],
                         data: JSONBody[ChargebackIn], principal: NamedDependency[Principal],
                         db: NamedDependency[AsyncSession],
                         hooks: NamedDependency[TenantHooks]) -> ProductOut:
        """The customer cancelled the product: part of its gross comes back."""
        return product_out(await finance.charge_back(db, principal, hooks, order_id,
                                                     product_id, data))
