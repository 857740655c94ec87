"""``/promises``: the ledger of what was promised to whom, and its decisions."""

from __future__ import annotations

import uuid
from datetime import datetime

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks
from rapport_plugins.dealership import promises
from rapport_plugins.dealership.routes import Cursor, Limit
from rapport_plugins.dealership.schemas import (
    PromiseIn,
    PromiseList,
    PromiseOut,
    PromiseStatus,
    RenegotiateIn,
    ResolveIn,
)
from rapport_plugins.dealership.views import promise_out


class PromiseController(Controller):
    path = "/promises"

    @post("/", status_code=201)
    async def make(self, data: JSONBody[PromiseIn], principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession],
                   hooks: NamedDependency[TenantHooks]) -> PromiseOut:
        """Record a promise: probability 0 to 1, due after now (422 naming the field)."""
        return promise_out(await promises.make(db, principal, hooks, data))

    @get("/")
    async def list_(self, principal: NamedDependency[Principal],
                    db: NamedDependency[AsyncSession],
                    status: FromQuery[PromiseStatus | None] = None,
                    due_before: FromQuery[datetime | None] = None,
                    member_id: FromQuery[uuid.UUID | None] = None,
                    contact_id: FromQuery[uuid.UUID | None] = None,
                    order_id: FromQuery[uuid.UUID | None] = None,
                    overdue: FromQuery[bool | None] = None,
                    cursor: Cursor = None, limit: Limit = 50) -> PromiseList:
        """Newest first; a salesperson sees their own promises."""
        page = await promises.search(db, principal, status=status, due_before=due_before,
                                     member_id=member_id, contact_id=contact_id,
                                     order_id=order_id, overdue=overdue, cursor=cursor,
                                     limit=limit)
        return PromiseList([promise_out(p) for p in page.items], page.next_cursor)

    @get("/{promise_id:uuid}")
    async def read(self, promise_id: FromPath[uuid.UUID],
                   principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession]) -> PromiseOut:
        return promise_out(await promises.promise_of(db, principal, promise_id))

    @get("/{promise_id:uuid}/chain")
    async def chain(self, promise_id: FromPath[uuid.UUID],
                    principal: NamedDependency[Principal],
                    db: NamedDependency[AsyncSession]) -> PromiseList:
        """The renegotiation chain this promise belongs to, oldest first."""
        found = await promises.chain(db, principal, promise_id)
        return PromiseList([promise_out(p) for p in found], None)

    @post("/{promise_id:uuid}/resolve", status_code=200)
    async def resolve(self, promise_id: FromPath[uuid.UUID], data: JSONBody[ResolveIn],
                      principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                      hooks: NamedDependency[TenantHooks]) -> PromiseOut:
        """kept | broken | cancelled, with evidence; 409 when already decided."""
        return promise_out(await promises.resolve(db, principal, hooks, promise_id, data))

    @post("/{promise_id:uuid}/renegotiate", status_code=201)
    async def renegotiate(self, promise_id: FromPath[uuid.UUID],
                          data: JSONBody[RenegotiateIn], principal: NamedDependency[Principal],
                          db: NamedDependency[AsyncSession],
                          hooks: NamedDependency[TenantHooks]) -> PromiseOut:
        """A new promise superseding this one (which becomes ``renegotiated``)."""
        return promise_out(await promises.renegotiate(db, principal, hooks, promise_id, data))
