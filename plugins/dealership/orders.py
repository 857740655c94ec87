"""Orders: who buys what (the definition, options, the chosen colour and the accepted
alternatives in order of preference), at what price, sold by whom."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Page,
    Principal,
    RapportError,
    TenantHooks,
    audit,
    by_id,
    conflict,
    cut,
    forbidden,
    get_contact,
    invalid,
    newest_first,
    not_found,
    start,
)
from rapport_plugins.dealership.catalogue import colour_codes, settings_of, vehicle_of
from rapport_plugins.dealership.events import announce
from rapport_plugins.dealership.members import require_members
from rapport_plugins.dealership.models import Order, OrderLog, Payment, Vehicle
from rapport_plugins.dealership.roles import is_manager, require_owner_or_manager
from rapport_plugins.dealership.schemas import OrderIn, OrderOut, OrderPatch, Split
from rapport_plugins.dealership.scope import branch_of, scope_of
from rapport_plugins.dealership.workflow import ORDER, stage_index

RECORD = "dealership.order"


async def order_of(db: AsyncSession, principal: Principal, order_id: uuid.UUID, *,
                   lock: bool = False) -> Order:
    """The tenant's order; a salesperson sees only their own, a branch manager their
    branch's (others' answer 404)."""
    scope = await scope_of(db, principal)
    query = select(Order).where(Order.tenant_id == principal.tenant_id, Order.id == order_id,
                                scope.where(Order.salesperson_id, Order.branch))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = (await db.execute(query)).scalar_one_or_none()
    if found is None:
        raise not_found("Order")
    return found


async def held(db: AsyncSession, tenant_id: uuid.UUID, order_id: uuid.UUID) -> int:
    """The deposit held on an order: deposits paid less refunds."""
    signed = func.coalesce(func.sum(case(
        (Payment.kind == "refund", -Payment.amount_minor), else_=Payment.amount_minor)), 0)
    return int(await db.scalar(select(signed).where(
        Payment.tenant_id == tenant_id, Payment.order_id == order_id)) or 0)


async def order_out(db: AsyncSession, order: Order, held_minor: int | None = None) -> OrderOut:
    if held_minor is None:
        held_minor = await held(db, order.tenant_id, order.id)
    net = order.price_minor - order.discount_minor - order.trade_in_minor
    return OrderOut(
        order.id, order.contact_id, order.salesperson_id, order.branch, order.vehicle_id,
        list(order.options), order.colour_code, list(order.alternative_colours),
        order.currency, order.price_minor, order.discount_minor, order.trade_in_minor,
        held_minor, net - held_minor, order.state, order.expected_delivery,
        order.manufacturer_order_no, order.production_week, order.vin, order.stock_unit_id,
        order.delivered_on, order.delivered_colour,
        msgspec.convert(order.splits, list[Split]), order.created_at)


async def log(db: AsyncSession, principal: Principal | None, order: Order, kind: str,
              summary: str, data: dict[str, Any] | None = None) -> None:
    db.add(OrderLog(tenant_id=order.tenant_id, order_id=order.id, contact_id=order.contact_id,
                    kind=kind, summary=summary[:300], data=audit.jsonable(data or {}),
                    actor_id=principal.membership_id if principal else None))
    await db.flush()


def check_colours(vehicle: Vehicle, colour: str, alternatives: list[str]) -> None:
    offered = colour_codes(vehicle)
    if colour not in offered:
        raise invalid("colour_code", f"{vehicle.model} is not offered in {colour}; "
                                     f"offered: {', '.join(offered)}")
    for i, alt in enumerate(alternatives):
        if alt not in offered:
            raise invalid(f"alternative_colours[{i}]",
                          f"{vehicle.model} is not offered in {alt}")
    if colour in alternatives or len(set(alternatives)) != len(alternatives):
        raise invalid("alternative_colours", "each colour once, other than the chosen one")


def option_price(vehicle: Vehicle, codes: list[str]) -> int:
    prices = {o["code"]: int(o.get("price_minor", 0)) for o in vehicle.options}
    for i, code in enumerate(codes):
        if code not in prices:
            raise invalid(f"options[{i}]", f"{vehicle.model} has no option {code}")
    if len(set(codes)) != len(codes):
        raise invalid("options", "each option once")
    return sum(prices[c] for c in codes)


async def check_splits(db: AsyncSession, principal: Principal, splits: list[Split]) -> None:
    if not splits:
        return
    if sum(s.percent for s in splits) != 100:
        raise invalid("splits", "the percentages must add up to 100")
    if len({s.member_id for s in splits}) != len(splits):
        raise invalid("splits", "each salesperson once")
    await require_members(db, principal.tenant_id, [s.member_id for s in splits], "splits")
    scope = await scope_of(db, principal)
    for i, s in enumerate(splits):
        await scope.check_seller(db, principal.tenant_id, s.member_id, f"splits[{i}].member_id")


async def create(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                 data: OrderIn) -> Order:
    salesperson = data.salesperson_id or principal.membership_id
    require_owner_or_manager(principal, salesperson, "order")
    await require_members(db, principal.tenant_id, [salesperson], "salesperson_id")
    scope = await scope_of(db, principal)
    await scope.check_seller(db, principal.tenant_id, salesperson)
    branch = scope.check_branch(data.branch) or await branch_of(
        db, principal.tenant_id, salesperson)
    try:
        await get_contact(db, principal, data.contact_id)
    except RapportError as exc:
        raise invalid("contact_id", "no such contact in this tenant") from exc
    vehicle = await vehicle_of(db, principal, data.vehicle_id, "vehicle_id")
    check_colours(vehicle, data.colour_code, list(data.alternative_colours))
    extras = option_price(vehicle, list(data.options))
    await check_splits(db, principal, list(data.splits))
    price = data.price_minor if data.price_minor is not None else (
        vehicle.base_price_minor + extras)
    if data.discount_minor > price:
        raise invalid("discount_minor", "cannot exceed the price")
    order = Order(
        tenant_id=principal.tenant_id, contact_id=data.contact_id, salesperson_id=salesperson,
        branch=branch, vehicle_id=vehicle.id, options=list(data.options),
        colour_code=data.colour_code, alternative_colours=list(data.alternative_colours),
        currency=vehicle.currency, price_minor=price, discount_minor=data.discount_minor,
        trade_in_minor=data.trade_in_minor, state=ORDER.initial,
        expected_delivery=data.expected_delivery, splits=msgspec.to_builtins(data.splits),
        created_by=principal.user_id)
    db.add(order)
    await db.flush()
    await start(db, principal, ORDER, RECORD, order.id)
    await log(db, principal, order, "created",
              f"Order for {vehicle.make} {vehicle.model} {vehicle.trim} in {order.colour_code}",
              {"colour_code": order.colour_code,
               "alternative_colours": order.alternative_colours,
               "expected_delivery": order.expected_delivery})
    await audit.record(db, principal, audit.CREATE, RECORD, order.id,
                       changes={"state": [None, order.state],
                                "price_minor": [None, order.price_minor]})
    await announce(db, principal, hooks, "dealership.order_created", RECORD, order.id,
               {"contact_id": order.contact_id, "salesperson_id": salesperson,
                "vehicle_id": vehicle.id, "price_minor": price, "currency": order.currency})
    return order


async def change(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                 order_id: uuid.UUID, data: OrderPatch) -> Order:
    order = await order_of(db, principal, order_id, lock=True)
    require_owner_or_manager(principal, order.salesperson_id, "order")
    if order.state in ("delivered", "cancelled", "unwound"):
        raise conflict(f"A {order.state} order cannot change")
    changes: dict[str, list[Any]] = {}
    spec = (data.colour_code, data.alternative_colours, data.options)
    if any(v is not msgspec.UNSET for v in spec):
        settings = await settings_of(db, principal)
        if stage_index(order.state) >= stage_index(settings.change_cutoff):
            field = next(n for n, v in zip(("colour_code", "alternative_colours", "options"),
                                           spec, strict=True) if v is not msgspec.UNSET)
            raise conflict(f"{field}: past the factory's change cut-off "
                           f"({settings.change_cutoff}); the order is {order.state}")
        vehicle = await vehicle_of(db, principal, order.vehicle_id)
        colour = order.colour_code if data.colour_code is msgspec.UNSET else data.colour_code
        alts = (list(order.alternative_colours) if data.alternative_colours is msgspec.UNSET
                else list(data.alternative_colours))
        check_colours(vehicle, colour, alts)
        if data.options is not msgspec.UNSET:
            option_price(vehicle, list(data.options))
            changes["options"] = [order.options, list(data.options)]
            order.options = list(data.options)
        if colour != order.colour_code:
            changes["colour_code"] = [order.colour_code, colour]
        if alts != order.alternative_colours:
            changes["alternative_colours"] = [order.alternative_colours, alts]
        order.colour_code, order.alternative_colours = colour, alts
    for name in ("discount_minor", "trade_in_minor", "branch"):
        value = getattr(data, name)
        if value is not msgspec.UNSET and value != getattr(order, name):
            changes[name] = [getattr(order, name), value]
            setattr(order, name, value)
    if "branch" in changes:
        (await scope_of(db, principal)).check_branch(order.branch)
    if order.discount_minor > order.price_minor:
        raise invalid("discount_minor", "cannot exceed the price")
    await _credit_changes(db, principal, order, data, changes)
    if not changes:
        return order
    await db.flush()
    await audit.record(db, principal, audit.UPDATE, RECORD, order.id, changes=changes)
    for kind in ("colour_code", "alternative_colours", "options"):
        if kind in changes:
            await log(db, principal, order, "changed", f"{kind} changed",
                      {kind: changes[kind]})
    await announce(db, principal, hooks, "dealership.order_updated", RECORD, order.id,
               {"changes": audit.jsonable(changes)})
    return order


async def _credit_changes(db: AsyncSession, principal: Principal, order: Order,
                          data: OrderPatch, changes: dict[str, list[Any]]) -> None:
    """Reassignment and splits move a sale's credit: managers only, and logged on the
    order (the contest report shows them)."""
    if data.salesperson_id is not msgspec.UNSET and data.salesperson_id != order.salesperson_id:
        if not is_manager(principal):
            raise forbidden("Only a sales manager can reassign an order")
        await require_members(db, principal.tenant_id, [data.salesperson_id], "salesperson_id")
        await (await scope_of(db, principal)).check_seller(db, principal.tenant_id,
                                                           data.salesperson_id)
        changes["salesperson_id"] = [order.salesperson_id, data.salesperson_id]
        await log(db, principal, order, "reassigned", "Order reassigned",
                  {"from": order.salesperson_id, "to": data.salesperson_id})
        order.salesperson_id = data.salesperson_id
    if data.splits is not msgspec.UNSET:
        if not is_manager(principal):
            raise forbidden("Only a sales manager can split an order's credit")
        await check_splits(db, principal, list(data.splits))
        new = msgspec.to_builtins(data.splits)
        if new != order.splits:
            changes["splits"] = [order.splits, new]
            await log(db, principal, order, "split", "Credit split changed",
                      {"from": order.splits, "to": new})
            order.splits = new


async def search(db: AsyncSession, principal: Principal, *, state: str | None,
                 contact_id: uuid.UUID | None, salesperson_id: uuid.UUID | None,
                 cursor: str | None, limit: int, branch: str | None = None,
                 overdue_on: date | None = None) -> Page[Order]:
    """The orders the principal may see, filtered; ``overdue_on``: only those still to be
    delivered whose expected delivery is before that day."""
    scope = await scope_of(db, principal)
    query = select(Order).where(Order.tenant_id == principal.tenant_id,
                                scope.where(Order.salesperson_id, Order.branch))
    if state:
        query = query.where(Order.state == state)
    if branch:
        query = query.where(Order.branch == branch)
    if overdue_on:
        query = query.where(Order.expected_delivery < overdue_on,
                            Order.state.not_in(("delivered", "cancelled", "unwound")))
    if contact_id:
        query = query.where(Order.contact_id == contact_id)
    if salesperson_id:
        query = query.where(Order.salesperson_id == salesperson_id)
    rows = (await db.execute(newest_first(query, Order.id, cursor, limit))).scalars().all()
    return cut(rows, limit, by_id)


async def entries(db: AsyncSession, principal: Principal, order_id: uuid.UUID) -> list[OrderLog]:
    await order_of(db, principal, order_id)
    return list((await db.execute(select(OrderLog).where(
        OrderLog.tenant_id == principal.tenant_id, OrderLog.order_id == order_id)
        .order_by(OrderLog.created_at, OrderLog.id))).scalars())
