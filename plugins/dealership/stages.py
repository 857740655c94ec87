"""Moving an order through its stages, reserving a stock unit for it, and changing its
expected delivery date — each with what the stage means for money, stock, promises and
the salespeople's credit, in the same transaction as the state change."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Principal,
    TenantHooks,
    Workflow,
    conflict,
    fire,
    invalid,
)
from rapport_plugins.dealership import promises
from rapport_plugins.dealership.catalogue import colour_codes, settings_of, unit_of, vehicle_of
from rapport_plugins.dealership.customers import tell
from rapport_plugins.dealership.events import announce
from rapport_plugins.dealership.models import Order, Promise, SaleCredit, StockUnit
from rapport_plugins.dealership.money import refund_locked
from rapport_plugins.dealership.orders import RECORD, held, log, order_of
from rapport_plugins.dealership.roles import require_owner_or_manager
from rapport_plugins.dealership.schemas import DeliveryDateIn, ReserveIn, TransitionIn
from rapport_plugins.dealership.vin import clean_vin
from rapport_plugins.dealership.workflow import ORDER, STAGES

TRACKED = ("delivery_date", "colour")  # promise kinds an order settles by itself


def today() -> date:
    return datetime.now(UTC).date()


async def transition(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                     definitions: Mapping[str, Workflow], order_id: uuid.UUID,
                     data: TransitionIn) -> Order:
    order = await order_of(db, principal, order_id, lock=True)
    require_owner_or_manager(principal, order.salesperson_id, "order")
    fired = await fire(db, principal, definitions, ORDER.name, order.id, data.transition,
                       note=data.note)
    before, order.state = order.state, fired.instance.state
    await _arrive_at(db, principal, hooks, order, data)
    await db.flush()
    await log(db, principal, order, "stage", f"{before} → {order.state}",
              {"from": before, "to": order.state, "note": data.note})
    stage = ORDER.state(order.state)
    await tell(db, principal, hooks, order, f"Your order: {stage.label if stage else order.state}",
               f"Your {order.colour_code} order moved from {before} to {order.state}.")
    await announce(db, principal, hooks, "dealership.order_stage_changed", RECORD, order.id,
               {"from": before, "to": order.state, "contact_id": order.contact_id,
                "expected_delivery": order.expected_delivery})
    return order


async def _arrive_at(db: AsyncSession, principal: Principal, hooks: TenantHooks, order: Order,
                     data: TransitionIn) -> None:
    """What reaching ``order.state`` requires and does (nothing is kept if it raises)."""
    state = order.state
    if state == "deposit_paid" and await held(db, order.tenant_id, order.id) <= 0:
        raise conflict("Record the deposit before marking it paid")
    if state == "ordered":
        if not data.manufacturer_order_no:
            raise invalid("manufacturer_order_no", "required to mark the order placed")
        order.manufacturer_order_no = data.manufacturer_order_no
    if state == "scheduled":
        if not data.production_week:
            raise invalid("production_week", "required to schedule (e.g. 2026-W14)")
        order.production_week = data.production_week
    if state == "produced":
        if not data.vin and not order.vin:
            raise invalid("vin", "the produced car's VIN is required")
        if data.vin:
            settings = await settings_of(db, principal)
            order.vin = clean_vin(data.vin, settings.market)
    if state == "delivered":
        await _deliver(db, principal, hooks, order, data)
    if state == "cancelled":
        await _cancel(db, principal, hooks, order, data)
    if state == "unwound":
        await db.execute(update(SaleCredit).where(
            SaleCredit.tenant_id == order.tenant_id, SaleCredit.order_id == order.id,
            SaleCredit.reversed_on.is_(None)).values(reversed_on=today()))
        await _set_unit(db, order, "in_stock", release=True)


async def _deliver(db: AsyncSession, principal: Principal, hooks: TenantHooks, order: Order,
                   data: TransitionIn) -> None:
    vehicle = await vehicle_of(db, principal, order.vehicle_id)
    colour = data.delivered_colour or order.colour_code
    if colour not in colour_codes(vehicle):
        raise invalid("delivered_colour", f"{vehicle.model} is not offered in {colour}")
    order.delivered_on, order.delivered_colour = today(), colour
    await _set_unit(db, order, "sold")
    # The rule for periods: a sale counts on its delivery date, for the order's salespeople.
    shares = order.splits or [{"member_id": str(order.salesperson_id), "percent": 100}]
    gross = order.price_minor - order.discount_minor
    for share in shares:
        db.add(SaleCredit(tenant_id=order.tenant_id, order_id=order.id,
                          member_id=uuid.UUID(str(share["member_id"])),
                          percent=int(share["percent"]), counted_on=order.delivered_on,
                          gross_minor=gross * int(share["percent"]) // 100,
                          currency=order.currency))
    accepted = [order.colour_code, *order.alternative_colours]
    for p in await _open_promises(db, order):
        if p.kind == "delivery_date":
            kept = order.delivered_on <= p.due_at.astimezone(UTC).date()
            evidence = f"delivered on {order.delivered_on}"
        else:
            kept = colour in accepted or colour in p.alternatives
            evidence = f"delivered in {colour}"
        await promises.decide(db, None, hooks, p, "kept" if kept else "broken", evidence)


async def _cancel(db: AsyncSession, principal: Principal, hooks: TenantHooks, order: Order,
                  data: TransitionIn) -> None:
    holding = await held(db, order.tenant_id, order.id)
    if holding > 0:
        await refund_locked(db, principal, hooks, order, holding,
                            data.note or "order cancelled", data.refund_receipt)
    await _set_unit(db, order, "in_stock", release=True)
    for p in await _open_promises(db, order, kinds=None):
        await promises.decide(db, None, hooks, p, "cancelled", "the order was cancelled")


async def _open_promises(db: AsyncSession, order: Order,
                         kinds: tuple[str, ...] | None = TRACKED) -> list[Promise]:
    query = select(Promise).where(Promise.tenant_id == order.tenant_id,
                                  Promise.order_id == order.id, Promise.status == "open")
    if kinds:
        query = query.where(Promise.kind.in_(kinds))
    return list((await db.execute(query.with_for_update())).scalars())


async def _set_unit(db: AsyncSession, order: Order, status: str, *, release: bool = False
                    ) -> None:
    if order.stock_unit_id is None:
        return
    await db.execute(update(StockUnit).where(
        StockUnit.tenant_id == order.tenant_id, StockUnit.id == order.stock_unit_id)
        .values(status=status, order_id=None if release else order.id))
    if release:
        order.stock_unit_id = None


async def reserve(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                  order_id: uuid.UUID, data: ReserveIn) -> Order:
    """Take a free stock unit for the order. The claim is one conditional UPDATE: of two
    orders reserving the same unit at once, the second finds it taken (409)."""
    order = await order_of(db, principal, order_id, lock=True)
    require_owner_or_manager(principal, order.salesperson_id, "order")
    if order.state in ("delivered", "cancelled", "unwound"):
        raise conflict(f"A {order.state} order takes no stock unit")
    if order.stock_unit_id is not None:
        raise conflict("The order already has a stock unit; cancel to release it")
    unit = await unit_of(db, principal, data.stock_unit_id, field="stock_unit_id")
    if unit.vehicle_id != order.vehicle_id:
        raise invalid("stock_unit_id", "the unit is another vehicle than the order's")
    accepted = [order.colour_code, *order.alternative_colours]
    if unit.colour_code not in accepted:
        raise invalid("stock_unit_id", f"the unit is {unit.colour_code}, which the buyer "
                                       f"did not accept ({', '.join(accepted)})")
    claimed = await db.scalar(
        update(StockUnit)
        .where(StockUnit.tenant_id == principal.tenant_id, StockUnit.id == unit.id,
               StockUnit.status.in_(("in_stock", "in_transit")))
        .values(status="reserved", order_id=order.id)
        .returning(StockUnit.id)
        .execution_options(synchronize_session=False))
    if claimed is None:
        raise conflict(f"Stock unit {unit.vin} is already reserved or sold")
    order.stock_unit_id, order.vin = unit.id, unit.vin
    await db.flush()
    await log(db, principal, order, "reserved", f"Stock unit {unit.vin} reserved",
              {"stock_unit_id": unit.id, "vin": unit.vin, "colour_code": unit.colour_code})
    await announce(db, principal, hooks, "dealership.stock_reserved", RECORD, order.id,
               {"stock_unit_id": unit.id, "vin": unit.vin})
    return order


async def release(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                  order_id: uuid.UUID) -> Order:
    """Give the order's stock unit back to the lot (in stock) without cancelling the order:
    the buyer chose another car, or the unit went to a customer who needed it sooner. Before
    production the order forgets the unit's VIN too; after, the VIN is the car's own."""
    order = await order_of(db, principal, order_id, lock=True)
    require_owner_or_manager(principal, order.salesperson_id, "order")
    if order.state in ("delivered", "cancelled", "unwound"):
        raise conflict(f"A {order.state} order has no stock unit to release")
    if order.stock_unit_id is None:
        raise conflict("The order has no stock unit reserved")
    unit = await unit_of(db, principal, order.stock_unit_id)
    await _set_unit(db, order, "in_stock", release=True)
    if STAGES.index(order.state) < STAGES.index("produced") and order.vin == unit.vin:
        order.vin = None
    await db.flush()
    await log(db, principal, order, "released", f"Stock unit {unit.vin} released",
              {"stock_unit_id": unit.id, "vin": unit.vin})
    await announce(db, principal, hooks, "dealership.stock_released", RECORD, order.id,
               {"stock_unit_id": unit.id, "vin": unit.vin})
    return order


async def change_delivery(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                          order_id: uuid.UUID, data: DeliveryDateIn) -> Order:
    """A new expected delivery date, with its reason, kept in the order's date history.
    When the customer agreed to it, open delivery promises on the order that have not
    passed yet are renegotiated to the new date (otherwise they break when they pass)."""
    order = await order_of(db, principal, order_id, lock=True)
    require_owner_or_manager(principal, order.salesperson_id, "order")
    if order.state in ("delivered", "cancelled", "unwound"):
        raise conflict(f"A {order.state} order has no delivery date to change")
    before = order.expected_delivery
    order.expected_delivery = data.expected_delivery
    await db.flush()
    await log(db, principal, order, "date_changed",
              f"Expected delivery {before or '—'} → {data.expected_delivery}: {data.reason}",
              {"from": before, "to": data.expected_delivery, "reason": data.reason,
               "agreed_with_customer": data.agreed_with_customer})
    if data.agreed_with_customer:
        now = datetime.now(UTC)
        new_due = datetime.combine(data.expected_delivery, datetime.max.time(), UTC)
        for p in await _open_promises(db, order, kinds=("delivery_date",)):
            if p.due_at > now and new_due > now:
                await promises.supersede(db, principal, hooks, p, new_due, p.probability,
                                         f"delivery date changed: {data.reason}")
    await tell(db, principal, hooks, order, f"New delivery date: {data.expected_delivery}",
               f"Your car is now expected on {data.expected_delivery} ({data.reason}).")
    await announce(db, principal, hooks, "dealership.delivery_date_changed", RECORD, order.id,
               {"from": before, "to": data.expected_delivery, "reason": data.reason,
                "contact_id": order.contact_id})
    return order
