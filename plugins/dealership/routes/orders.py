"""``/orders``: the order, its stages, deposits and refunds, stock reservation, the
expected delivery date and its history."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter, SkipValidation
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks, Workflow
from rapport_plugins.dealership import money, orders, stages
from rapport_plugins.dealership.routes import Cursor, Limit
from rapport_plugins.dealership.schemas import (
    DeliveryDateIn,
    DepositIn,
    OrderIn,
    OrderList,
    OrderLogList,
    OrderOut,
    OrderPatch,
    PaymentList,
    PaymentOut,
    RefundIn,
    ReserveIn,
    Stage,
    TransitionIn,
)
from rapport_plugins.dealership.views import log_out, payment_out

Definitions = NamedDependency[SkipValidation[Mapping[str, Workflow]]]


class OrderController(Controller):
    path = "/orders"

    @post("/", status_code=201)
    async def create(self, data: JSONBody[OrderIn], principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession],
                     hooks: NamedDependency[TenantHooks]) -> OrderOut:
        """An order in ``quote``: the chosen colour and the accepted alternatives must be
        colours the model is offered in (422 naming the one that is not)."""
        return await orders.order_out(db, await orders.create(db, principal, hooks, data), 0)

    @get("/")
    async def list_(self, principal: NamedDependency[Principal],
                    db: NamedDependency[AsyncSession],
                    stage: Annotated[Stage | None, QueryParameter(name="state")] = None,
                    contact_id: FromQuery[uuid.UUID | None] = None,
                    salesperson_id: FromQuery[uuid.UUID | None] = None,
                    cursor: Cursor = None, limit: Limit = 50) -> OrderList:
        """Newest first; a salesperson sees their own orders."""
        page = await orders.search(db, principal, state=stage, contact_id=contact_id,
                                   salesperson_id=salesperson_id, cursor=cursor, limit=limit)
        return OrderList([await orders.order_out(db, o) for o in page.items], page.next_cursor)

    @get("/{order_id:uuid}")
    async def read(self, order_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession]) -> OrderOut:
        return await orders.order_out(db, await orders.order_of(db, principal, order_id))

    @patch("/{order_id:uuid}")
    async def change(self, order_id: FromPath[uuid.UUID], data: JSONBody[OrderPatch],
                     principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                     hooks: NamedDependency[TenantHooks]) -> OrderOut:
        """Colour, alternatives and options until the factory's change cut-off (409 after);
        reassignment and credit splits by a sales manager only (logged)."""
        order = await orders.change(db, principal, hooks, order_id, data)
        return await orders.order_out(db, order)

    @post("/{order_id:uuid}/transition", status_code=200)
    async def transition(self, order_id: FromPath[uuid.UUID], data: JSONBody[TransitionIn],
                         principal: NamedDependency[Principal],
                         db: NamedDependency[AsyncSession],
                         hooks: NamedDependency[TenantHooks],
                         workflow_definitions: Definitions) -> OrderOut:
        """Move the order one stage (409 naming the allowed moves otherwise)."""
        order = await stages.transition(db, principal, hooks, workflow_definitions, order_id,
                                        data)
        return await orders.order_out(db, order)

    @post("/{order_id:uuid}/deposits", status_code=201)
    async def deposit(self, order_id: FromPath[uuid.UUID], data: JSONBody[DepositIn],
                      principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                      hooks: NamedDependency[TenantHooks]) -> PaymentOut:
        return payment_out(await money.pay(db, principal, hooks, order_id, data))

    @post("/{order_id:uuid}/refunds", status_code=201)
    async def refund(self, order_id: FromPath[uuid.UUID], data: JSONBody[RefundIn],
                     principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                     hooks: NamedDependency[TenantHooks]) -> PaymentOut:
        """At most the deposit held (422 otherwise)."""
        return payment_out(await money.refund(db, principal, hooks, order_id, data))

    @get("/{order_id:uuid}/payments")
    async def payments(self, order_id: FromPath[uuid.UUID],
                       principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession]) -> PaymentList:
        rows, holding = await money.payments(db, principal, order_id)
        return PaymentList([payment_out(p) for p in rows], holding)

    @post("/{order_id:uuid}/reserve", status_code=200)
    async def reserve(self, order_id: FromPath[uuid.UUID], data: JSONBody[ReserveIn],
                      principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                      hooks: NamedDependency[TenantHooks]) -> OrderOut:
        """Reserve a free stock unit in an accepted colour; 409 when another order has it."""
        order = await stages.reserve(db, principal, hooks, order_id, data)
        return await orders.order_out(db, order)

    @post("/{order_id:uuid}/release", status_code=200)
    async def release(self, order_id: FromPath[uuid.UUID],
                      principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                      hooks: NamedDependency[TenantHooks]) -> OrderOut:
        """Give the reserved stock unit back to the lot (in stock); 409 when none is."""
        order = await stages.release(db, principal, hooks, order_id)
        return await orders.order_out(db, order)

    @post("/{order_id:uuid}/delivery-date", status_code=200)
    async def delivery_date(self, order_id: FromPath[uuid.UUID],
                            data: JSONBody[DeliveryDateIn],
                            principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            hooks: NamedDependency[TenantHooks]) -> OrderOut:
        """A new expected delivery date and its reason (kept in the order's history)."""
        order = await stages.change_delivery(db, principal, hooks, order_id, data)
        return await orders.order_out(db, order)

    @get("/{order_id:uuid}/history")
    async def history(self, order_id: FromPath[uuid.UUID],
                      principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> OrderLogList:
        """Everything that happened to the order, oldest first (stages, money, dates)."""
        return OrderLogList([log_out(e) for e in await orders.entries(db, principal, order_id)])
