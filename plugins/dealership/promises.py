"""The promise ledger: what was promised, to whom, by whom, due when and how likely; kept,
broken, renegotiated (a new promise supersedes the old, the chain stays) or cancelled.

Every decision locks the promise row first, so two people resolving it at once cannot both
succeed: the second sees it decided and gets 409."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import column, select
from sqlalchemy import table as sql_table
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
    get_contact,
    invalid,
    newest_first,
    not_found,
)
from rapport_plugins.dealership.events import announce
from rapport_plugins.dealership.members import require_members
from rapport_plugins.dealership.models import Order, Promise
from rapport_plugins.dealership.roles import is_manager, require_owner_or_manager
from rapport_plugins.dealership.schemas import PromiseIn, RenegotiateIn, ResolveIn
from rapport_plugins.dealership.scope import branch_of, scope_of

RECORD = "dealership.promise"


def now() -> datetime:
    return datetime.now(UTC)


async def promise_of(db: AsyncSession, principal: Principal, promise_id: uuid.UUID, *,
                     lock: bool = False) -> Promise:
    """The tenant's promise; a salesperson sees only their own, a branch manager their
    branch's (others' answer 404)."""
    scope = await scope_of(db, principal)
    query = select(Promise).where(Promise.tenant_id == principal.tenant_id,
                                  Promise.id == promise_id,
                                  scope.where(Promise.promised_by, Promise.branch))
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    found = (await db.execute(query)).scalar_one_or_none()
    if found is None:
        raise not_found("Promise")
    return found


async def _linked_order(db: AsyncSession, principal: Principal,
                        order_id: uuid.UUID | None) -> Order | None:
    if order_id is None:
        return None
    scope = await scope_of(db, principal)
    if scope.member is not None:  # a salesperson may promise on a colleague's order
        scope = type(scope)()
    order = (await db.execute(select(Order).where(
        Order.tenant_id == principal.tenant_id, Order.id == order_id,
        scope.where(Order.salesperson_id, Order.branch)))).scalar_one_or_none()
    if order is None:
        raise invalid("order_id", "no such order in this dealership")
    return order


async def _exists(db: AsyncSession, principal: Principal, table: str, row_id: uuid.UUID | None,
                  field: str) -> None:
    """A deal or interaction the promise links to must be the tenant's own."""
    if row_id is None:
        return
    t = sql_table(table, column("tenant_id"), column("id"))
    hit = await db.scalar(select(t.c.id).where(t.c.tenant_id == principal.tenant_id,
                                               t.c.id == row_id))
    if hit is None:
        raise invalid(field, f"no such {table[:-1]} in this tenant")


async def make(db: AsyncSession, principal: Principal, hooks: TenantHooks,
               data: PromiseIn) -> Promise:
    promised_by = data.promised_by or principal.membership_id
    require_owner_or_manager(principal, promised_by, "promise")
    await require_members(db, principal.tenant_id, [promised_by], "promised_by")
    await (await scope_of(db, principal)).check_seller(db, principal.tenant_id, promised_by,
                                                       "promised_by")
    try:
        await get_contact(db, principal, data.contact_id)
    except RapportError as exc:
        raise invalid("contact_id", "no such contact in this tenant") from exc
    order = await _linked_order(db, principal, data.order_id)
    if order is not None and order.contact_id != data.contact_id:
        raise invalid("order_id", "the order is another customer's")
    await _exists(db, principal, "deals", data.deal_id, "deal_id")
    await _exists(db, principal, "interactions", data.interaction_id, "interaction_id")
    if (data.cost_minor is None) != (data.cost_currency is None):
        raise invalid("cost_currency", "a cost needs its currency (and a currency its cost)")
    branch = (await scope_of(db, principal)).check_branch(
        data.branch or (order.branch if order else None)) or await branch_of(
        db, principal.tenant_id, promised_by)
    made_at = now()
    if data.due_at.tzinfo is None:
        raise invalid("due_at", "must carry a time zone")
    if data.due_at <= made_at:
        raise invalid("due_at", "must be after the promise was made (now)")
    promise = Promise(
        tenant_id=principal.tenant_id, kind=data.kind, text=data.text,
        contact_id=data.contact_id, promised_by=promised_by,
        branch=branch,
        fulfilled_by=data.fulfilled_by, cost_minor=data.cost_minor,
        cost_currency=data.cost_currency, cost_borne_by=data.cost_borne_by, made_at=made_at,
        due_at=data.due_at, probability=data.probability, order_id=data.order_id,
        deal_id=data.deal_id, interaction_id=data.interaction_id,
        alternatives=list(data.alternatives), status="open")
    db.add(promise)
    await db.flush()
    await audit.record(db, principal, audit.CREATE, RECORD, promise.id,
                       changes={"kind": [None, promise.kind], "due_at": [None, promise.due_at],
                                "probability": [None, promise.probability]})
    await announce(db, principal, hooks, "dealership.promise_made", RECORD, promise.id,
               _payload(promise))
    return promise


def _payload(p: Promise) -> dict[str, object]:
    return {"kind": p.kind, "contact_id": p.contact_id, "promised_by": p.promised_by,
            "due_at": p.due_at, "probability": p.probability, "status": p.status,
            "order_id": p.order_id, "supersedes": p.supersedes}


async def decide(db: AsyncSession, principal: Principal | None, hooks: TenantHooks,
                 promise: Promise, outcome: str, evidence: str, *,
                 tenant_id: uuid.UUID | None = None) -> Promise:
    """Settle an open (locked) promise; ``principal`` None: the dealership's own rules did
    (delivery, the worker)."""
    if promise.status != "open":
        raise conflict(f"The promise is already {promise.status}", current_status=promise.status)
    before = promise.status
    promise.status = outcome
    promise.decided_at = now()
    promise.decided_by = principal.membership_id if principal else None
    promise.evidence = evidence
    await db.flush()
    if principal is not None:
        await audit.record(db, principal, audit.UPDATE, RECORD, promise.id,
                           changes={"status": [before, outcome]})
    await announce(db, principal, hooks, f"dealership.promise_{outcome}", RECORD, promise.id,
               {**_payload(promise), "evidence": evidence},
               tenant_id=tenant_id or promise.tenant_id)
    return promise


async def resolve(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                  promise_id: uuid.UUID, data: ResolveIn) -> Promise:
    """kept | broken | cancelled with evidence; a salesperson only their own promises."""
    promise = await promise_of(db, principal, promise_id, lock=True)
    require_owner_or_manager(principal, promise.promised_by, "promise")
    return await decide(db, principal, hooks, promise, data.outcome, data.evidence)


async def supersede(db: AsyncSession, principal: Principal | None, hooks: TenantHooks,
                    old: Promise, due_at: datetime, probability: float, evidence: str,
                    text: str | None = None) -> Promise:
    """Mark ``old`` (locked, open) renegotiated and make the promise that replaces it."""
    if due_at.tzinfo is None:
        raise invalid("due_at", "must carry a time zone")
    if due_at <= now():
        raise invalid("due_at", "must be after the promise was made (now)")
    new = Promise(
        tenant_id=old.tenant_id, kind=old.kind, text=text or old.text,
        contact_id=old.contact_id, promised_by=old.promised_by, branch=old.branch,
        fulfilled_by=old.fulfilled_by, cost_minor=old.cost_minor,
        cost_currency=old.cost_currency, cost_borne_by=old.cost_borne_by, made_at=now(),
        due_at=due_at, probability=probability, order_id=old.order_id, deal_id=old.deal_id,
        interaction_id=old.interaction_id, alternatives=list(old.alternatives),
        status="open", supersedes=old.id)
    db.add(new)
    await db.flush()
    await decide(db, principal, hooks, old, "renegotiated", evidence)
    old.superseded_by = new.id
    await db.flush()
    await announce(db, principal, hooks, "dealership.promise_made", RECORD, new.id, _payload(new),
               tenant_id=old.tenant_id)
    return new


async def renegotiate(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                      promise_id: uuid.UUID, data: RenegotiateIn) -> Promise:
    old = await promise_of(db, principal, promise_id, lock=True)
    require_owner_or_manager(principal, old.promised_by, "promise")
    if old.status != "open":
        raise conflict(f"The promise is already {old.status}", current_status=old.status)
    return await supersede(db, principal, hooks, old, data.due_at, data.probability,
                           data.evidence, data.text)


async def chain(db: AsyncSession, principal: Principal, promise_id: uuid.UUID) -> list[Promise]:
    """Every promise of the renegotiation chain ``promise_id`` is in, oldest first."""
    first = await promise_of(db, principal, promise_id)
    found = {first.id: first}
    frontier = [first]
    while frontier:  # chains are short (a few renegotiations); one lookup per link
        p = frontier.pop()
        for link in (p.supersedes, p.superseded_by):
            if link is not None and link not in found:
                nxt = (await db.execute(select(Promise).where(
                    Promise.tenant_id == principal.tenant_id, Promise.id == link)))
                row = nxt.scalar_one_or_none()
                if row is not None:
                    found[row.id] = row
                    frontier.append(row)
    return sorted(found.values(), key=lambda p: p.made_at)


async def search(db: AsyncSession, principal: Principal, *, status: str | None,
                 due_before: datetime | None, member_id: uuid.UUID | None,
                 contact_id: uuid.UUID | None, order_id: uuid.UUID | None,
                 overdue: bool | None, cursor: str | None, limit: int) -> Page[Promise]:
    scope = await scope_of(db, principal)
    query = select(Promise).where(Promise.tenant_id == principal.tenant_id,
                                  scope.where(Promise.promised_by, Promise.branch))
    if status:
        query = query.where(Promise.status == status)
    if due_before:
        query = query.where(Promise.due_at < due_before)
    if member_id:
        query = query.where(Promise.promised_by == member_id)
    if contact_id:
        query = query.where(Promise.contact_id == contact_id)
    if order_id:
        query = query.where(Promise.order_id == order_id)
    if overdue is not None:
        late = (Promise.status == "open") & (Promise.due_at < now())
        query = query.where(late if overdue else ~late)
    rows = (await db.execute(newest_first(query, Promise.id, cursor, limit))).scalars().all()
    return cut(rows, limit, by_id)


async def due(db: AsyncSession, principal: Principal, until: datetime,
              limit: int = 200) -> list[Promise]:
    """Open promises due before ``until``, soonest (most overdue) first: the manager's list."""
    scope = await scope_of(db, principal)
    query = select(Promise).where(Promise.tenant_id == principal.tenant_id,
                                  Promise.status == "open", Promise.due_at < until,
                                  scope.where(Promise.promised_by, Promise.branch))
    return list((await db.execute(query.order_by(Promise.due_at).limit(limit))).scalars())


def can_decide(principal: Principal, promise: Promise) -> bool:
    return is_manager(principal) or promise.promised_by == principal.membership_id
