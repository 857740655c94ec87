"""The order page's forms for the rest of the deal: a trade-in appraisal, a financing
application and its decision (refunding the deposit when financing fails), F&I products
and their chargebacks. Each form's fields carry a prefix (``ti_``, ``fin_``, ``fi_``) so
one page never repeats an element id; amounts are typed in major units."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import FieldError, Principal, RapportError, Screen, TenantHooks, invalid_many
from rapport_plugins.dealership import finance
from rapport_plugins.dealership.console.forms import minor, parse, posted
from rapport_plugins.dealership.console.orders import _act
from rapport_plugins.dealership.schemas import (
    ChargebackIn,
    FinanceDecisionIn,
    FinanceIn,
    ProductIn,
    TradeInIn,
)


def _money(form: dict[str, Any], key: str, field: str) -> int | None:
    """``form[key]`` in major units as minor units; a bad number names ``field``."""
    try:
        return minor(form.get(key))
    except RapportError:
        raise invalid_many([FieldError(field, "must be a number")]) from None


def _fields(form: dict[str, Any], prefix: str, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: form.get(prefix + n) for n in names}


@post("/orders/{order_id:uuid}/trade-ins", status_code=200)
async def appraise(request: Request, order_id: FromPath[uuid.UUID],
                   principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                   hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        data = parse({
            **_fields(form, "ti_", ("vin", "mileage_km", "condition", "valid_until",
                                    "lienholder", "description")),
            "actual_cash_value_minor": _money(form, "ti_actual_cash_value",
                                              "actual_cash_value_minor"),
            "allowance_minor": _money(form, "ti_allowance", "allowance_minor"),
            "payoff_minor": _money(form, "ti_payoff", "payoff_minor") or 0}, TradeInIn)
        return await finance.appraise(db, principal, hooks, order_id, data)
    return await _act(request, db, principal, order_id, "trade_in", run, "ti_")


@post("/orders/{order_id:uuid}/financing", status_code=200)
async def apply(request: Request, order_id: FromPath[uuid.UUID],
                principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        data = parse({**_fields(form, "fin_", ("lender", "lender_reference")),
                      "amount_minor": _money(form, "fin_amount", "amount_minor")}, FinanceIn)
        return await finance.apply(db, principal, hooks, order_id, data)
    return await _act(request, db, principal, order_id, "financing", run, "fin_")


@post("/orders/{order_id:uuid}/financing/{application_id:uuid}/decision", status_code=200)
async def decide(request: Request, order_id: FromPath[uuid.UUID],
                 application_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                 db: NamedDependency[AsyncSession],
                 hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        data = parse({"status": form.get("status"),
                      "refund_deposit": form.get("refund_deposit") == "on"}, FinanceDecisionIn)
        return await finance.decide(db, principal, hooks, order_id, application_id, data)
    return await _act(request, db, principal, order_id, "financing", run, "fin_")


@post("/orders/{order_id:uuid}/products", status_code=200)
async def sell(request: Request, order_id: FromPath[uuid.UUID],
               principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
               hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        data = parse({**_fields(form, "fi_", ("kind", "provider")),
                      "price_minor": _money(form, "fi_price", "price_minor"),
                      "cost_minor": _money(form, "fi_cost", "cost_minor") or 0}, ProductIn)
        return await finance.sell_product(db, principal, hooks, order_id, data)
    return await _act(request, db, principal, order_id, "product", run, "fi_")


@post("/orders/{order_id:uuid}/products/{product_id:uuid}/chargeback", status_code=200)
async def charge_back(request: Request, order_id: FromPath[uuid.UUID],
                      product_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession],
                      hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        data = parse({"amount_minor": _money(form, "amount", "amount_minor"),
                      "reason": form.get("reason")}, ChargebackIn)
        return await finance.charge_back(db, principal, hooks, order_id, product_id, data)
    return await _act(request, db, principal, order_id, "chargeback", run, "cb_")


PAGES = [appraise, apply, decide, sell, charge_back]
