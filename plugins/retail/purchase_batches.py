"""Earning for a batch of committed ``transaction.recorded`` events (the outbox worker's
``rapport_events_committed``): purchases recorded anywhere but at the till — the kernel's
``POST /api/v1/transactions``, imports, other plugins — earn here, after their commit.

The same rules as one purchase at the till (``purchases.earn``, ``earning.points_for``), with
a fixed number of statements for the whole batch instead of ~10 per purchase: the members
(each contact's oldest membership in the purchase's currency) locked together in id order,
the purchases already earned, the programs, rules, tiers, product categories and today's
earnings under a daily cap read once; points computed in order per member (a tier reached
by one purchase multiplies the next); then one INSERT of the ledger rows, the members'
figures and tier history, one INSERT each of the ``retail.points_earned`` and
``retail.tier_changed`` events and one upsert of what each member bought. A tier crossed
moves the member up as at the till (``tiers.move``: the same history row and event).

Exactly once: the members are locked before the earned purchases are looked up (as the till
does), and the ledger's partial unique index on ``(tenant_id, transaction_id)`` for
earnings refuses a second one whatever happens; the outbox marks the events delivered in
the same transaction, so a batch that fails or is killed leaves nothing behind.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import DomainEvent, emit_many, insert_many, new_id
from rapport_plugins.retail import events as retail_events
from rapport_plugins.retail import tiers
from rapport_plugins.retail.earning import Line, points_for
from rapport_plugins.retail.ledger import Source, batch_row, release_due, start_of_day
from rapport_plugins.retail.models import (
    Bought,
    Entry,
    Member,
    Product,
    Program,
    Rule,
    Tier,
    TierChange,
)


def _any(ids: Iterable[uuid.UUID]) -> ColumnElement[Any]:
    """``= ANY(:ids)``: one array parameter, however many ids (``IN`` binds one each)."""
    return any_(bindparam(None, list(ids), type_=ARRAY(PG_UUID(as_uuid=True))))


@dataclass(frozen=True)
class Purchase:
    transaction_id: uuid.UUID
    contact_id: uuid.UUID
    currency: str
    amount: Decimal
    occurred_at: datetime
    lines: list[Line]


def _purchases(batch: Sequence[DomainEvent]) -> list[Purchase]:
    """The batch's purchases with a contact, each transaction once, in outbox order."""
    out: dict[uuid.UUID, Purchase] = {}
    for event in batch:
        p = event.payload
        if (event.record_id is None or p.get("kind", "purchase") != "purchase"
                or not p.get("contact_id") or event.record_id in out):
            continue
        out[event.record_id] = Purchase(
            event.record_id, uuid.UUID(str(p["contact_id"])), p["currency"],
            Decimal(p["amount"]), datetime.fromisoformat(p["occurred_at"]),
            [Line(x["product"], Decimal(x["amount"])) for x in p.get("lines") or []])
    return list(out.values())


async def _members(db: AsyncSession, tenant_id: uuid.UUID, purchases: list[Purchase]
                   ) -> dict[tuple[uuid.UUID, str], Member]:
    """Each (contact, currency)'s oldest membership, locked (in id order: no deadlock with
    another batch or a till)."""
    contacts = {p.contact_id for p in purchases}
    currencies = {p.currency for p in purchases}
    found = (await db.execute(
        select(Member.id, Member.contact_id, Program.currency)
        .join(Program, (Program.tenant_id == Member.tenant_id)
              & (Program.id == Member.program_id))
        .where(Member.tenant_id == tenant_id, Member.contact_id == _any(contacts),
               Program.currency.in_(currencies))
        .order_by(Member.contact_id, Program.currency, Member.joined_at, Member.id)
        .ext(distinct_on(Member.contact_id, Program.currency)))).all()
    if not found:
        return {}
    locked = {m.id: m for m in (await db.execute(
        select(Member).where(Member.tenant_id == tenant_id,
                             Member.id == _any({row.id for row in found}))
        .order_by(Member.id).with_for_update()
        .execution_options(populate_existing=True))).scalars()}
    for member in locked.values():
        await release_due(db, member)
    return {(row.contact_id, row.currency): locked[row.id] for row in found}


async def _earned_today(db: AsyncSession, tenant_id: uuid.UUID, program: Program,
                        members: set[uuid.UUID]) -> dict[uuid.UUID, int]:
    rows = await db.execute(
        select(Entry.member_id, func.sum(func.abs(Entry.points)))
        .where(Entry.tenant_id == tenant_id, Entry.member_id == _any(members),
               Entry.kind == "earn", Entry.created_at >= start_of_day(program))
        .group_by(Entry.member_id))
    return {member_id: int(total) for member_id, total in rows.all()}


class _Rules:
    """What the batch's programs say, read once."""

    def __init__(self) -> None:
        self.programs: dict[uuid.UUID, Program] = {}
        self.rules: dict[uuid.UUID, list[Rule]] = defaultdict(list)
        self.ladders: dict[uuid.UUID, list[Tier]] = defaultdict(list)
        self.categories: dict[str, str] = {}
        self.today: dict[uuid.UUID, int] = defaultdict(int)

    async def load(self, db: AsyncSession, tenant_id: uuid.UUID, members: list[Member],
                   skus: set[str]) -> None:
        ids = {m.program_id for m in members}
        self.programs = {p.id: p for p in (await db.execute(select(Program).where(
            Program.tenant_id == tenant_id, Program.id.in_(ids)))).scalars()}
        for rule in (await db.execute(select(Rule).where(
                Rule.tenant_id == tenant_id, Rule.program_id.in_(ids)))).scalars():
            self.rules[rule.program_id].append(rule)
        for tier in (await db.execute(select(Tier).where(
                Tier.tenant_id == tenant_id, Tier.program_id.in_(ids))
                .order_by(Tier.threshold, Tier.name))).scalars():
            self.ladders[tier.program_id].append(tier)
        if skus:
            self.categories = {sku: category for sku, category in (await db.execute(
                select(Product.sku, Product.category).where(
                    Product.tenant_id == tenant_id, Product.sku.in_(skus)))).all()}
        for program in self.programs.values():
            if program.daily_earn_cap is not None:
                self.today.update(await _earned_today(
                    db, tenant_id, program, {m.id for m in members
                                             if m.program_id == program.id}))


async def earn_batch(db: AsyncSession, tenant_id: uuid.UUID,
                     batch: Sequence[DomainEvent]) -> int:
    """Earn for every purchase of ``batch`` not earned yet; returns how many earned."""
    purchases = _purchases(batch)
    if not purchases:
        return 0
    members = await _members(db, tenant_id, purchases)
    if not members:
        return 0
    done = set((await db.execute(select(Entry.transaction_id).where(
        Entry.tenant_id == tenant_id, Entry.kind == "earn",
        Entry.transaction_id == _any({p.transaction_id for p in purchases})))).scalars())
    todo = [p for p in purchases
            if p.transaction_id not in done and (p.contact_id, p.currency) in members]
    known = _Rules()
    await known.load(db, tenant_id, list({m.id: m for m in members.values()}.values()),
                     {line.product for p in todo for line in p.lines})
    rows: list[dict[str, Any]] = []
    earned: list[tuple[uuid.UUID | None, dict[str, Any]]] = []
    climbed: list[tuple[uuid.UUID | None, dict[str, Any]]] = []
    history: list[dict[str, Any]] = []
    bought: dict[tuple[uuid.UUID, str], int] = defaultdict(int)
    for p in todo:
        member = members[(p.contact_id, p.currency)]
        program = known.programs[member.program_id]
        ladder = known.ladders[program.id]
        for sku in {line.product for line in p.lines}:
            bought[(member.id, sku)] += 1
        tier = next((t for t in ladder if t.id == member.tier_id), None)
        points = points_for(program, known.rules[program.id], known.categories, p.amount,
                            p.lines, p.occurred_at, tier.multiplier if tier else Decimal(1))
        if program.daily_earn_cap is not None and points > 0:
            points = max(0, min(points, program.daily_earn_cap - known.today[member.id]))
        if points <= 0:
            continue
        known.today[member.id] += points
        # Staff earn points but do not climb tiers (their own rule: non-qualifying).
        rows.append(batch_row(member, program, "earn", points, qualifying=not member.staff,
                              source=Source(transaction_id=p.transaction_id, amount=p.amount)))
        moved = tiers.move(member, ladder, "threshold")
        if moved is not None:
            history.append(moved.change)
            climbed.append((member.id, moved.payload))
        earned.append((member.id, {"member_id": str(member.id), "points": points,
                                   "transaction_id": str(p.transaction_id),
                                   "balance": member.balance}))
    if rows:
        await insert_many(db, Entry, rows)
        await insert_many(db, TierChange, history)
        await db.flush()  # the members' new figures and tiers
        await emit_many(db, retail_events.OUTBOX_ONLY, retail_events.POINTS_EARNED,
                        retail_events.RECORD_TYPE, earned, tenant_id=tenant_id)
        await emit_many(db, retail_events.OUTBOX_ONLY, retail_events.TIER_CHANGED,
                        retail_events.RECORD_TYPE, climbed, tenant_id=tenant_id)
    if bought:
        statement = pg_insert(Bought).values([
            {"tenant_id": tenant_id, "id": new_id(), "member_id": member_id, "sku": sku,
             "times": times, "last_at": func.now()}
            for (member_id, sku), times in sorted(bought.items())])
        await db.execute(statement.on_conflict_do_update(
            constraint="uq_retail_bought_sku",
            set_={"times": Bought.times + statement.excluded.times, "last_at": func.now()}))
    return len(rows)
