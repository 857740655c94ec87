"""The order page's forms that change what was sold and to whom it counts: reserving a stock
unit (and releasing it), refunding part of the deposit, colour, accepted alternatives and
options until the factory's cut-off (refused after it, the reason shown), and the credit
split between salespeople (managers). Field names carry a prefix (``rs_``, ``rf_``,
``sp_``, ``ch_``) so the page never repeats an element id; each runs the plugin's service."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, Screen, TenantHooks
from rapport_plugins.dealership import money, orders, stages
from rapport_plugins.dealership.console.deal import _fields, _money
from rapport_plugins.dealership.console.forms import parse, posted
from rapport_plugins.dealership.console.orders import _act
from rapport_plugins.dealership.schemas import OrderPatch, RefundIn, ReserveIn

SPLIT_ROWS = 3


@post("/orders/{order_id:uuid}/reserve", status_code=200)
async def reserve(request: Request, order_id: FromPath[uuid.UUID],
                  principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                  hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        data = parse({"stock_unit_id": form.get("rs_stock_unit_id")}, ReserveIn)
        return await stages.reserve(db, principal, hooks, order_id, data)
    return await _act(request, db, principal, order_id, "reserve", run, "rs_")


@post("/orders/{order_id:uuid}/release", status_code=200)
async def release(request: Request, order_id: FromPath[uuid.UUID],
                  principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                  hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    async def run() -> Any:
        return await stages.release(db, principal, hooks, order_id)
    return await _act(request, db, principal, order_id, "reserve", run, "rs_")


@post("/orders/{order_id:uuid}/refunds", status_code=200)
async def refund(request: Request, order_id: FromPath[uuid.UUID],
                 principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                 hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    form = await posted(request)

    async def run() -> Any:
        data = parse({**_fields(form, "rf_", ("reason", "receipt")),
                      "amount_minor": _money(form, "rf_amount", "amount_minor")}, RefundIn)
        return await money.refund(db, principal, hooks, order_id, data)
    return await _act(request, db, principal, order_id, "refund", run, "rf_")


@post("/orders/{order_id:uuid}/specification", status_code=200)
async def specify(request: Request, order_id: FromPath[uuid.UUID],
                  principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                  hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    """Colour, accepted alternatives in order and options, as one change; past the factory's
    cut-off the service refuses (409) and the page says why."""
    form = await posted(request)

    async def run() -> Any:
        alternatives = [str(form.get(f"ch_alt{i}") or "") for i in (1, 2)]
        options = form.get("options") or []
        data = parse({"colour_code": form.get("ch_colour_code")}, OrderPatch)
        data.alternative_colours = parse(
            {"alternative_colours": [a for a in alternatives if a]}, OrderPatch
        ).alternative_colours or []
        data.options = parse({"options": options}, OrderPatch).options or []
        return await orders.change(db, principal, hooks, order_id, data)
    return await _act(request, db, principal, order_id, "specification", run, "ch_")


@post("/orders/{order_id:uuid}/splits", status_code=200)
async def split(request: Request, order_id: FromPath[uuid.UUID],
                principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    """The credit split by percentage (managers): the rows with a member chosen; none at all
    clears the split (the order's salesperson takes the whole credit)."""
    form = await posted(request)

    async def run() -> Any:
        rows = [{"member_id": form.get(f"sp_member{i}"), "percent": form.get(f"sp_percent{i}")}
                for i in range(SPLIT_ROWS) if form.get(f"sp_member{i}")]
        data = parse({"splits": rows}, OrderPatch)
        data.splits = data.splits or []
        return await orders.change(db, principal, hooks, order_id, data)
    return await _act(request, db, principal, order_id, "splits", run, "sp_")


PAGES = [reserve, release, refund, specify, split]
