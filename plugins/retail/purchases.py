"""Earning from the kernel's ``transaction.recorded`` event, exactly once per transaction.

At the till the handler runs inside the transaction that recorded the purchase (the till
answers with the points): the member is the one whose card the till scanned (the till
leaves it in ``session.info``). A purchase recorded elsewhere (``POST
/api/v1/transactions`` with a contact, imports, other plugins) earns after its commit,
through the outbox worker, in batches (``purchase_batches``), in the contact's oldest
program in the purchase's currency. A partial unique index on ``(tenant_id,
transaction_id)`` for earnings refuses a second earning however the event repeats, and the
locked member row makes the check-then-insert exact.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import DomainEvent, Principal, TenantHooks, new_id
from rapport_plugins.retail import events, tiers
from rapport_plugins.retail.earning import Line, points_for
from rapport_plugins.retail.ledger import Source, credit, lock_member, today_total
from rapport_plugins.retail.models import Bought, Entry, Member, Product, Program, Rule, Tier
from rapport_plugins.retail.programs import tiers_of

TILL_CARD = "retail.till_card"  # session.info key: (member id, card id) of the scanned card
TILL_HOOKS = "retail.till_hooks"


@dataclass(frozen=True)
class Earned:
    member: Member
    points: int
    tier_before: str | None
    tier_after: str | None


async def _remember(db: AsyncSession, tenant_id: uuid.UUID, member_id: uuid.UUID,
                    skus: set[str]) -> None:
    """Count the SKUs of this purchase against the member (one statement)."""
    statement = pg_insert(Bought).values([
        {"tenant_id": tenant_id, "id": new_id(), "member_id": member_id, "sku": sku,
         "times": 1, "last_at": func.now()} for sku in sorted(skus)])
    await db.execute(statement.on_conflict_do_update(
        constraint="uq_retail_bought_sku",
        set_={"times": Bought.times + 1, "last_at": func.now()}))


async def earn(db: AsyncSession, tenant_id: uuid.UUID, transaction_id: uuid.UUID,
               payload: dict[str, Any], member_id: uuid.UUID,
               card_id: uuid.UUID | None = None, actor: Principal | None = None,
               hooks: TenantHooks | None = None) -> Earned | None:
    if payload.get("kind", "purchase") != "purchase":
        return None
    currency = payload["currency"]
    member = await lock_member(db, tenant_id, member_id)
    program = (await db.execute(select(Program).where(
        Program.tenant_id == tenant_id, Program.id == member.program_id))).scalar_one()
    done = await db.scalar(select(Entry.id).where(
        Entry.tenant_id == tenant_id, Entry.kind == "earn",
        Entry.transaction_id == transaction_id))
    if done is not None or program.currency != currency:
        return None
    lines = [Line(x["product"], Decimal(x["amount"])) for x in payload.get("lines") or []]
    rules = list((await db.execute(select(Rule).where(
        Rule.tenant_id == tenant_id, Rule.program_id == program.id))).scalars())
    categories: dict[str, str] = {}
    if lines:
        categories = dict((await db.execute(select(Product.sku, Product.category).where(
            Product.tenant_id == tenant_id,
            Product.sku.in_({x.product for x in lines})))).tuples().all())
    if lines:
        await _remember(db, tenant_id, member.id, {x.product for x in lines})
    ladder = await tiers_of(db, tenant_id, program.id)
    tier = next((t for t in ladder if t.id == member.tier_id), None)
    occurred = datetime.fromisoformat(payload["occurred_at"])
    amount = Decimal(payload["amount"])
    points = points_for(program, rules, categories, amount, lines, occurred,
                        tier.multiplier if isinstance(tier, Tier) else Decimal(1))
    name = tier.name if tier else None
    if program.daily_earn_cap is not None and points > 0:
        room = program.daily_earn_cap - await today_total(db, member, program, "earn",
                                                          card_id)
        points = max(0, min(points, room))
    if points <= 0:
        return Earned(member, 0, name, name)
    # Staff earn points but do not climb tiers (their own rule: non-qualifying).
    await credit(db, member, program, "earn", points, qualifying=not member.staff,
                 source=Source(transaction_id=transaction_id, card_id=card_id, amount=amount,
                               recorded_by=actor.user_id if actor else None))
    before, after = await tiers.settle(db, member, ladder, "threshold", actor=actor,
                                       hooks=hooks)
    # The same shape as a worker batch's event (docs/retail.md, Events): one earning here.
    await events.publish(db, actor, hooks, events.POINTS_EARNED, tenant_id, member.id,
                         {"earnings": [{"member_id": str(member.id), "points": points,
                                        "transaction_id": str(transaction_id),
                                        "balance": member.balance}]})
    return Earned(member, points, before, after)


async def on_transaction(event: DomainEvent) -> None:
    if event.record_id is None:
        return
    till = event.session.info.get(TILL_CARD)
    if till is None:
        return  # not the till's: earned after commit, in a batch (purchase_batches)
    member_id, card_id = till
    hooks = event.session.info.get(TILL_HOOKS)
    await earn(event.session, event.tenant_id, event.record_id, event.payload, member_id,
               card_id, event.actor, hooks)
