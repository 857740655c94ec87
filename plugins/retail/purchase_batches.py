"""Earning for a batch of committed ``transaction.recorded`` events (the outbox worker's
``rapport_events_committed``): purchases recorded anywhere but at the till — the kernel's
``POST /api/v1/transactions``, imports, other plugins — earn here, after their commit.

The same rules as one purchase at the till (``purchases.earn``, ``earning.points_for``), with
a fixed number of statements for the whole batch instead of ~10 per purchase: the members
(each contact's oldest membership in the purchase's currency) locked together in id order,
the purchases already earned, the programs, rules, tiers, product categories and today's
earnings under a daily cap read once; points computed in order per member (a tier reached
by one purchase multiplies the next); then one INSERT of the ledger rows, the members'
figures and tier history, one ``retail.points_earned`` event for the whole batch (its
``earnings`` list each purchase: member, points, transaction, balance), the
``retail.tier_changed`` events in one INSERT and one upsert of what each member bought. A
tier crossed moves the member up as at the till (``tiers.move``: the same history row and event).

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

import msgspec
from sqlalchemy import ColumnElement, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from rapport.sdk import DomainEvent, emit_many, insert_many, new_id
from rapport_plugins.retail import events as retail_events
from rapport_plugins.retail import tiers
from rapport_plugins.retail.earning import GIFT_CARDS, Line, points_for
from rapport_plugins.retail.ledger import Source, batch_row, release_due, start_of_day
from rapport_plugins.retail.models import (
    Bought,
    Card,
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


@dataclass(frozen=True)
class _Due:
    """A purchase of the batch as its event carries it (parsed further only if needed)."""

    transaction_id: uuid.UUID
    contact_id: uuid.UUID
    currency: str
    payload: dict[str, Any]

    def purchase(self) -> Purchase:
        p = self.payload
        return Purchase(
            self.transaction_id, self.contact_id, self.currency, Decimal(p["amount"]),
            datetime.fromisoformat(p["occurred_at"]),
            [Line(x["product"], Decimal(x["amount"])) for x in p.get("lines") or []])


def _purchases(batch: Sequence[DomainEvent]) -> list[_Due]:
    """The batch's purchases with a contact, each transaction once, in outbox order."""
    out: dict[uuid.UUID, _Due] = {}
    for event in batch:
        p = event.payload
        if (event.record_id is None or p.get("kind", "purchase") != "purchase"
                or not p.get("contact_id") or event.record_id in out):
            continue
        out[event.record_id] = _Due(event.record_id, uuid.UUID(str(p["contact_id"])),
                                    p["currency"], p)
    return list(out.values())


async def _members(db: AsyncSession, tenant_id: uuid.UUID, purchases: list[_Due]
                   ) -> dict[tuple[uuid.UUID, str], uuid.UUID]:
    """Each (contact, currency)'s oldest membership, locked (in id order: no deadlock with
    another batch or a till) as Core rows; only members with pending points to release
    become ORM objects here."""
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
    pending = [member_id for member_id, waiting in (await db.execute(
        select(Member.id, Member.pending).where(
            Member.tenant_id == tenant_id, Member.id == _any({row.id for row in found}))
        .order_by(Member.id).with_for_update())).all() if waiting > 0]
    for member in await _locked(db, tenant_id, pending):
        await release_due(db, member)
    return {(row.contact_id, row.currency): row.id for row in found}


async def _locked(db: AsyncSession, tenant_id: uuid.UUID, ids: Iterable[uuid.UUID]
                  ) -> list[Member]:
    """Members already locked by ``_members``, as ORM objects with their current figures."""
    ids = set(ids)
    if not ids:
        return []
    return list((await db.execute(
        select(Member).where(Member.tenant_id == tenant_id, Member.id == _any(ids))
        .order_by(Member.id).execution_options(populate_existing=True))).scalars())


async def _earned_today(db: AsyncSession, tenant_id: uuid.UUID, program: Program,
                        cards: dict[uuid.UUID, uuid.UUID | None]) -> dict[uuid.UUID, int]:
    """Points earned today (program time zone) on each member's card in ``cards`` — the
    daily cap is per card — by member."""
    rows = await db.execute(
        select(Entry.member_id, Entry.card_id, func.sum(func.abs(Entry.points)))
        .where(Entry.tenant_id == tenant_id, Entry.member_id == _any(cards),
               Entry.kind == "earn", Entry.created_at >= start_of_day(program))
        .group_by(Entry.member_id, Entry.card_id))
    return {member_id: int(total) for member_id, card_id, total in rows.all()
            if cards[member_id] == card_id}


async def _first_cards(db: AsyncSession, tenant_id: uuid.UUID, members: set[uuid.UUID]
                       ) -> dict[uuid.UUID, uuid.UUID | None]:
    """Each member's first active card: a purchase from outside the till is that card's
    (its ledger row names it, and it counts against that card's daily cap)."""
    found = {member_id: card_id for member_id, card_id in (await db.execute(
        select(Card.member_id, Card.id)
        .where(Card.tenant_id == tenant_id, Card.member_id == _any(members),
               Card.state == "active")
        .order_by(Card.member_id, Card.created_at, Card.id)
        .ext(distinct_on(Card.member_id)))).all()}
    return {m: found.get(m) for m in members}


class _Rules:
    """What the batch's programs say, read once."""

    def __init__(self) -> None:
        self.programs: dict[uuid.UUID, Program] = {}
        self.rules: dict[uuid.UUID, list[Rule]] = defaultdict(list)
        self.ladders: dict[uuid.UUID, list[Tier]] = defaultdict(list)
        self.categories: dict[str, str] = {}
        self.today: dict[uuid.UUID, int] = defaultdict(int)
        self.cards: dict[uuid.UUID, uuid.UUID | None] = {}

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
        self.cards = await _first_cards(db, tenant_id, {m.id for m in members})
        for program in self.programs.values():
            if program.daily_earn_cap is not None:
                self.today.update(await _earned_today(
                    db, tenant_id, program, {m.id: self.cards[m.id] for m in members
                                             if m.program_id == program.id}))


# The batch's earnings at the members' current tiers, in one statement: each purchase's
# points (lines * best SKU/category rule, * best campaign running at its time, * points per
# unit * the tier's multiplier, rounded once by the program's rule; nothing below the
# minimum purchase or on gift-card lines), the daily cap as a running sum per member —
# the cap is per card, and a purchase from outside the till is the member's first active
# card's (``card``: the ledger row names it) — (earned_i = min(S_i, room) - min(S_i-1,
# room) is the till's one-at-a-time cap), and
# which members it can write at once: those with no debt to repay and no return window
# (the others are left to the loop). A member's rows are written up to the purchase that
# reaches a higher tier (``climb``, which still earns at the old multiplier); the caller
# moves the member up and runs the statement again for the purchases after it.
_PRICE = """
WITH p AS (
  SELECT r.o, r.t, r.m, r.a, r.at, r.l
  FROM json_to_recordset(CAST(:rows AS json))
    AS r(o int, t uuid, m uuid, a numeric, "at" timestamptz, l json)
), member AS MATERIALIZED (
  SELECT m.id, m.staff, m.balance, m.debt, m.qualifying_points, m.program_id, m.tier_id,
         pr.pending_days, pr.expiry_months, pr.min_purchase, pr.rounding, pr.points_per_unit,
         coalesce(ti.multiplier, 1) AS tier_multiplier, c.card,
         CASE WHEN pr.daily_earn_cap IS NOT NULL THEN GREATEST(pr.daily_earn_cap - (
           SELECT coalesce(sum(abs(e.points)), 0) FROM retail_ledger e
           WHERE e.tenant_id = :tenant AND e.member_id = m.id AND e.kind = 'earn'
             AND e.card_id IS NOT DISTINCT FROM c.card
             AND e.created_at >= (date_trunc('day', now() AT TIME ZONE pr.time_zone)
                                  AT TIME ZONE pr.time_zone)), 0) END AS room
  FROM retail_members m
  JOIN retail_programs pr ON pr.tenant_id = m.tenant_id AND pr.id = m.program_id
  LEFT JOIN retail_tiers ti ON ti.tenant_id = m.tenant_id AND ti.id = m.tier_id
  LEFT JOIN LATERAL (
    SELECT rc.id AS card FROM retail_cards rc
    WHERE rc.tenant_id = :tenant AND rc.member_id = m.id AND rc.state = 'active'
    ORDER BY rc.created_at, rc.id LIMIT 1) c ON true
  WHERE m.tenant_id = :tenant AND m.id IN (SELECT DISTINCT m FROM p)
), rule AS MATERIALIZED (
  SELECT r.program_id, r.sku, r.category, r.multiplier, r.starts_at, r.ends_at
  FROM retail_rules r
  WHERE r.tenant_id = :tenant AND r.program_id IN (SELECT program_id FROM member)
), ladder AS MATERIALIZED (
  SELECT t.id, t.program_id, t.threshold, t.name FROM retail_tiers t
  WHERE t.tenant_id = :tenant AND t.program_id IN (SELECT program_id FROM member)
), priced AS (
  SELECT p.o, p.t, p.m, p.a, GREATEST(CASE
    WHEN p.a < mb.min_purchase OR p.a <= 0 THEN 0
    ELSE (CASE mb.rounding WHEN 'down' THEN floor(x.total) WHEN 'up' THEN ceil(x.total)
          ELSE round(x.total) END)::bigint END, 0) AS points
  FROM p
  JOIN member mb ON mb.id = p.m
  CROSS JOIN LATERAL (SELECT
    CASE WHEN p.l IS NULL OR json_array_length(p.l) = 0 THEN p.a
    ELSE (SELECT coalesce(sum(line.amount * coalesce((
            SELECT max(r.multiplier) FROM rule r
            WHERE r.program_id = mb.program_id
              AND (r.starts_at IS NULL OR r.starts_at <= p.at)
              AND (r.ends_at IS NULL OR p.at < r.ends_at)
              AND (r.sku = line.product OR r.category = pc.category)), 1)), 0)
          FROM json_to_recordset(p.l) AS line(product text, amount numeric)
          LEFT JOIN retail_products pc ON pc.tenant_id = :tenant AND pc.sku = line.product
          WHERE pc.category IS DISTINCT FROM :gift) END
    * mb.points_per_unit * coalesce((
        SELECT max(r.multiplier) FROM rule r
        WHERE r.program_id = mb.program_id AND r.sku IS NULL AND r.category IS NULL
          AND (r.starts_at IS NULL OR r.starts_at <= p.at)
          AND (r.ends_at IS NULL OR p.at < r.ends_at)), 1)
    * mb.tier_multiplier AS total) x
), capped AS (
  SELECT c.o, c.t, c.m, c.a, mb.staff, mb.expiry_months, mb.card,
         (CASE WHEN mb.room IS NULL THEN c.points
               ELSE LEAST(c.s, mb.room) - LEAST(c.s - c.points, mb.room) END)::bigint AS earned
  FROM (SELECT priced.*, sum(points) OVER (PARTITION BY m ORDER BY o) AS s FROM priced) c
  JOIN member mb ON mb.id = c.m
), totals AS (
  SELECT c.*, mb.debt, mb.pending_days, mb.program_id, mb.tier_id,
         (sum(c.earned) OVER w + mb.balance)::bigint AS balance,
         mb.qualifying_points + CASE WHEN c.staff THEN 0 ELSE sum(c.earned) OVER w END
           AS reached
  FROM capped c JOIN member mb ON mb.id = c.m
  WHERE c.earned > 0
  WINDOW w AS (PARTITION BY c.m ORDER BY c.o)
), climbs AS (
  SELECT g.*, EXISTS (
           SELECT 1 FROM ladder t
           LEFT JOIN ladder cur ON cur.id = g.tier_id
           WHERE t.program_id = g.program_id
             AND t.threshold <= g.reached
             AND (cur.id IS NULL OR (t.threshold, t.name) > (cur.threshold, cur.name))
         ) AS climbs
  FROM totals g
), final AS (
  SELECT x.o, x.t, x.m, x.a, x.staff, x.expiry_months, x.card, x.earned, x.balance,
         x.debt = 0 AND x.pending_days = 0 AS simple,
         min(CASE WHEN x.climbs THEN x.o END) OVER (PARTITION BY x.m) AS climb
  FROM climbs x
), ledger AS (
  INSERT INTO retail_ledger (tenant_id, id, member_id, kind, points, qualifying, remaining,
                             expires_at, transaction_id, amount, card_id)
  SELECT :tenant, uuidv7(), m, 'earn', earned, NOT staff, earned,
         now() + make_interval(months => expiry_months), t, a, card
  FROM final WHERE simple AND (climb IS NULL OR o <= climb) ORDER BY o
), figures AS (
  UPDATE retail_members mm
  SET balance = mm.balance + s.points, qualifying_points = mm.qualifying_points + s.qualifying
  FROM (SELECT m, sum(earned) AS points,
               sum(CASE WHEN staff THEN 0 ELSE earned END) AS qualifying
        FROM final WHERE simple AND (climb IS NULL OR o <= climb) GROUP BY m) s
  WHERE mm.tenant_id = :tenant AND mm.id = s.m
)
SELECT o, t::text, m::text, earned, balance, simple, climb FROM final ORDER BY o
"""
_MOVE = """
UPDATE retail_members m SET tier_id = r.tier
FROM json_to_recordset(CAST(:rows AS json)) AS r(id uuid, tier uuid)
WHERE m.tenant_id = :tenant AND m.id = r.id
"""
_ENCODE = msgspec.json.Encoder().encode
Earned = tuple[uuid.UUID | None, dict[str, Any]]


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
    if not todo:
        return 0
    earned: list[Earned] = []
    climbed: list[Earned] = []
    history: list[dict[str, Any]] = []
    slow: set[uuid.UUID] = set()
    # Each purchase with its member, looked up once (the tuple keys hash UUIDs in Python).
    left = [(p, members[(p.contact_id, p.currency)]) for p in todo]
    while left:
        climbers = await _set_based(db, tenant_id, left, earned, slow)
        await _climb(db, tenant_id, set(climbers), climbed, history)
        end = len(left)
        left = [(p, m) for i, (p, m) in enumerate(left) if i > climbers.get(m, end)]
    rows: list[dict[str, Any]] = []
    if slow:
        known = _Rules()
        locked = {m.id: m for m in await _locked(db, tenant_id, slow)}
        await known.load(db, tenant_id, list(locked.values()),
                         {x["product"] for p in todo for x in p.payload.get("lines") or []})
        _one_by_one(known, [(locked[members[(p.contact_id, p.currency)]], p.purchase())
                            for p in todo if members[(p.contact_id, p.currency)] in slow],
                    rows, earned, climbed, history)
    await insert_many(db, Entry, rows)
    await insert_many(db, TierChange, history)
    await db.flush()  # the members' new figures and tiers
    # One ``retail.points_earned`` for the whole batch (its ``earnings`` list each purchase
    # in order): an outbox row per purchase was a third write per purchase, the floor that
    # kept this path under 0.25x a set-based statement (docs/benchmarks.md).
    if earned:
        await emit_many(db, retail_events.OUTBOX_ONLY, retail_events.POINTS_EARNED,
                        retail_events.RECORD_TYPE,
                        [(None, {"earnings": [payload for _, payload in earned]})],
                        tenant_id=tenant_id)
    await emit_many(db, retail_events.OUTBOX_ONLY, retail_events.TIER_CHANGED,
                    retail_events.RECORD_TYPE, climbed, tenant_id=tenant_id)
    await _bought(db, tenant_id, members, todo)
    return len(earned)


async def _set_based(db: AsyncSession, tenant_id: uuid.UUID,
                     todo: list[tuple[_Due, uuid.UUID]], earned: list[Earned],
                     slow: set[uuid.UUID]) -> dict[uuid.UUID, int]:
    """``_PRICE`` over the purchases (each with its member): the rows it wrote go to
    ``earned`` (as ``retail.points_earned`` payloads), the members it left to the loop to
    ``slow``; returns the members who reached a higher tier, with the index of that
    purchase. Ids come back as text: the payloads want them so, and only the few members
    who climb or go slow are made UUIDs again."""
    rows = [{"o": i, "t": p.transaction_id, "m": m, "a": p.payload["amount"],
             "at": p.payload["occurred_at"], "l": p.payload.get("lines") or []}
            for i, (p, m) in enumerate(todo)]
    result = (await db.execute(text(_PRICE), {
        "rows": _ENCODE(rows).decode(), "tenant": tenant_id, "gift": GIFT_CARDS})).all()
    figures: dict[str, tuple[int, int]] = {}
    climbers: dict[uuid.UUID, int] = {}
    for o, transaction_id, member_id, points, balance, simple, climb in result:
        if not simple:
            slow.add(uuid.UUID(member_id))
            continue
        if climb is not None:
            climbers[uuid.UUID(member_id)] = climb
            if o > climb:
                continue
        earned.append((None, {"member_id": member_id, "points": points,
                              "transaction_id": transaction_id, "balance": balance}))
        figures[member_id] = (balance, figures.get(member_id, (0, 0))[1] + points)
    # Members this session holds as objects learn what the statement wrote (not a change
    # to flush).
    for member in [o for o in db.identity_map.values() if isinstance(o, Member)]:
        if str(member.id) in figures:
            balance, points = figures[str(member.id)]
            set_committed_value(member, "balance", balance)
            if not member.staff:
                set_committed_value(member, "qualifying_points",
                                    member.qualifying_points + points)
    return climbers


async def _climb(db: AsyncSession, tenant_id: uuid.UUID, ids: set[uuid.UUID],
                 climbed: list[Earned], history: list[dict[str, Any]]) -> None:
    """Move the members ``_PRICE`` saw reach a higher tier up, as the till does
    (``tiers.move``: the history row and the ``retail.tier_changed`` payload)."""
    locked = await _locked(db, tenant_id, ids)
    if not locked:
        return
    ladders: dict[uuid.UUID, list[Tier]] = defaultdict(list)
    for tier in (await db.execute(select(Tier).where(
            Tier.tenant_id == tenant_id, Tier.program_id.in_({m.program_id for m in locked}))
            .order_by(Tier.threshold, Tier.name))).scalars():
        ladders[tier.program_id].append(tier)
    moves: list[dict[str, Any]] = []
    for member in locked:
        moved = tiers.move(member, ladders[member.program_id], "threshold")
        if moved is not None:
            history.append(moved.change)
            climbed.append((member.id, moved.payload))
            moves.append({"id": member.id, "tier": member.tier_id})
            # Written below for all of them in one statement, not one UPDATE a member.
            set_committed_value(member, "tier_id", member.tier_id)
    if moves:  # the new tiers, before the next statement prices with them
        await db.execute(text(_MOVE), {"rows": _ENCODE(moves).decode(), "tenant": tenant_id})


def _one_by_one(known: _Rules, purchases: list[tuple[Member, Purchase]],
                rows: list[dict[str, Any]], earned: list[Earned], climbed: list[Earned],
                history: list[dict[str, Any]]) -> None:
    """The members ``_PRICE`` leaves out (a tier reached mid-batch, a debt, a return
    window): each purchase in order with the till's rules, the member's figures moved in
    memory (a tier reached by one purchase multiplies the next)."""
    for member, p in purchases:
        program = known.programs[member.program_id]
        ladder = known.ladders[program.id]
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
                              source=Source(transaction_id=p.transaction_id, amount=p.amount,
                                            card_id=known.cards.get(member.id))))
        moved = tiers.move(member, ladder, "threshold")
        if moved is not None:
            history.append(moved.change)
            climbed.append((member.id, moved.payload))
        earned.append((member.id, {"member_id": str(member.id), "points": points,
                                   "transaction_id": str(p.transaction_id),
                                   "balance": member.balance}))


async def _bought(db: AsyncSession, tenant_id: uuid.UUID,
                  members: dict[tuple[uuid.UUID, str], uuid.UUID], todo: list[_Due]) -> None:
    """What each member bought (personal offers): one upsert."""
    bought: dict[tuple[uuid.UUID, str], int] = defaultdict(int)
    for p in todo:
        member_id = members[(p.contact_id, p.currency)]
        for sku in {x["product"] for x in p.payload.get("lines") or []}:
            bought[(member_id, sku)] += 1
    if not bought:
        return
    statement = pg_insert(Bought).values([
        {"tenant_id": tenant_id, "id": new_id(), "member_id": member_id, "sku": sku,
         "times": times, "last_at": func.now()}
        for (member_id, sku), times in sorted(bought.items())])
    await db.execute(statement.on_conflict_do_update(
        constraint="uq_retail_bought_sku",
        set_={"times": Bought.times + statement.excluded.times, "last_at": func.now()}))
