"""Earning for a batch of committed ``transaction.recorded`` events (the outbox worker's
``rapport_event_rows_committed``): purchases recorded anywhere but at the till — the
kernel's ``POST /api/v1/transactions``, imports, other plugins — earn here, after their
commit.

The same rules as one purchase at the till (``purchases.earn``, ``earning.points_for``), in
two statements for the whole batch that read the purchases straight from the claimed
outbox rows (``CommittedEvents.relation``: the payloads never become Python objects). The
first finds each purchase's member (the contact's oldest membership in the purchase's
currency) and locks them all in id order; the second (``_EARN``) leaves out the purchases
already earned, prices the rest — lines x best SKU/category rule x the campaign running at
the purchase's time x points per unit x the tier's multiplier, rounded by the program's
rule, the daily cap per card — walking each member's purchases in order so that a tier
reached by one purchase multiplies the next (a recursive CTE), and writes the ledger rows,
the members' figures and tiers, the tier history and what each member bought. Python then
publishes one ``retail.points_earned`` for the batch (its ``earnings`` list each purchase:
member, points, transaction, balance) and a ``retail.tier_changed`` per tier crossed, as the
till's ``tiers.move`` would. Members with a debt to repay or a return window go through the
till's rules one purchase at a time (``_one_by_one``).

Exactly once: the members are locked before the earned purchases are looked up (as the till
does), and the ledger's partial unique index on ``(tenant_id, transaction_id)`` for
earnings refuses a second one whatever happens; the outbox marks the events delivered in
the same transaction, so a batch that fails or is killed leaves nothing behind.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy import ColumnElement, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY, distinct_on
from sqlalchemy.dialects.postgresql import UUID as PG_UUID
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import CommittedEvents, emit_many, insert_many
from rapport_plugins.retail import events as retail_events
from rapport_plugins.retail import tiers
from rapport_plugins.retail.earning import GIFT_CARDS, Line, points_for
from rapport_plugins.retail.ledger import Source, batch_row, release_due, start_of_day
from rapport_plugins.retail.models import (
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
    amount: Decimal
    occurred_at: datetime
    lines: list[Line]


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


# The batch's purchases, from the claimed outbox rows (``{events}``: the kernel's relation):
# those with a contact, each transaction once (its first event). Every join below looks a
# row up by key in a table (LATERAL ... LIMIT 1, index scans) or reads a small CTE (rules,
# tiers): never one CTE against another, which the planner, guessing their sizes, would
# scan once per row of the other.
_PURCHASES = """
pur AS MATERIALIZED (
  SELECT DISTINCT ON (r.record_id) r.position AS o, r.record_id AS t, r.payload AS p
  FROM {events} r
  WHERE r.record_id IS NOT NULL AND coalesce(r.payload->>'kind', 'purchase') = 'purchase'
    AND coalesce(r.payload->>'contact_id', '') <> ''
  ORDER BY r.record_id, r.position
)"""
# Statement one: the batch's contacts' memberships locked (in id order: no deadlock with
# another batch or a till), those with pending points named (released in Python before
# pricing), and the first key a purchase lacks (the event is refused, as reading it in
# Python would).
_LOCK = ("WITH " + _PURCHASES  # noqa: S608 (this module's constant texts)
         + """, locked AS (
  SELECT m.id, m.pending FROM retail_members m
  WHERE m.tenant_id = :tenant AND m.contact_id = ANY(ARRAY(
    SELECT DISTINCT (pur.p->>'contact_id')::uuid FROM pur))
  ORDER BY m.id FOR UPDATE
)
SELECT (SELECT min(k.key) FROM pur
        CROSS JOIN (VALUES ('amount'), ('currency'), ('occurred_at')) AS k(key)
        WHERE NOT (pur.p ? k.key)) AS missing,
       (SELECT coalesce(array_agg(locked.id::text) FILTER (WHERE locked.pending > 0), '{{}}')
        FROM locked) AS pending
""")
# Statement two: the earnings. ``todo`` is each member's purchases not earned yet, in order
# (the contact's oldest membership in the purchase's currency); ``priced`` their points
# before the tier's multiplier and rounding (NULL: under the minimum purchase, nothing
# earned); ``walk`` goes through each member's purchases in order carrying the member's
# figures — points at the current tier's multiplier, rounded by the program's rule, the
# daily cap's room on the purchase's card (the member's first active card: its ledger row
# names it), the balance, the qualifying points and the tier, moved up when a purchase that
# earned reaches a higher threshold (that purchase still earns at the old multiplier: the
# till's rule). Members with a debt or a return window (``simple`` false) are left to the
# till's loop in Python.
_EARN = ("WITH " + _PURCHASES  # noqa: S608 (this module's constant texts)
         + """, grp AS (
  SELECT (pur.p->>'contact_id')::uuid AS contact, pur.p->>'currency' AS currency,
         array_agg(pur.o ORDER BY pur.o) AS os, array_agg(pur.t ORDER BY pur.o) AS ts,
         array_agg(pur.p ORDER BY pur.o) AS ps
  FROM pur GROUP BY 1, 2
), todo AS MATERIALIZED (
  SELECT mb.*, x.n, x.os, x.ts, x.amounts, x.ats, x.ls
  FROM grp
  CROSS JOIN LATERAL (
    SELECT m.id AS m, m.contact_id, m.staff, m.balance, m.qualifying_points, m.tier_id,
           m.debt = 0 AND pr.pending_days = 0 AS simple, pr.id AS program_id,
           pr.expiry_months, pr.min_purchase, pr.rounding, pr.points_per_unit,
           pr.daily_earn_cap, pr.time_zone
    FROM retail_members m
    JOIN retail_programs pr ON pr.tenant_id = m.tenant_id AND pr.id = m.program_id
    WHERE m.tenant_id = :tenant AND m.contact_id = grp.contact AND pr.currency = grp.currency
    ORDER BY m.joined_at, m.id LIMIT 1) mb
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS n, array_agg(u.o ORDER BY u.o) AS os,
           array_agg(u.t ORDER BY u.o) AS ts,
           array_agg((u.p->>'amount')::numeric ORDER BY u.o) AS amounts,
           array_agg((u.p->>'occurred_at')::timestamptz ORDER BY u.o) AS ats,
           array_agg(CASE WHEN jsonb_typeof(u.p->'lines') = 'array' THEN u.p->'lines'
                          ELSE '[]'::jsonb END ORDER BY u.o) AS ls
    FROM unnest(grp.os, grp.ts, grp.ps) AS u(o, t, p)
    LEFT JOIN LATERAL (
      SELECT true AS earned FROM retail_ledger e
      WHERE e.tenant_id = :tenant AND e.kind = 'earn' AND e.transaction_id = u.t LIMIT 1) d
      ON true
    WHERE d.earned IS NULL) x
  WHERE x.n > 0
), rule AS MATERIALIZED (
  SELECT r.program_id, r.sku, r.category, r.multiplier, r.starts_at, r.ends_at
  FROM retail_rules r
  WHERE r.tenant_id = :tenant AND r.program_id = ANY(ARRAY(SELECT todo.program_id FROM todo))
), ladder AS MATERIALIZED (
  SELECT t.id, t.program_id, t.threshold, t.name::text AS name, t.multiplier,
         row_number() OVER (PARTITION BY t.program_id ORDER BY t.threshold, t.name) AS rank
  FROM retail_tiers t
  WHERE t.tenant_id = :tenant AND t.program_id = ANY(ARRAY(SELECT todo.program_id FROM todo))
), priced AS (
  SELECT todo.*, (SELECT array_agg(CASE
    WHEN u.a < todo.min_purchase OR u.a <= 0 THEN NULL
    ELSE CASE WHEN jsonb_array_length(u.l) = 0 THEN u.a
    ELSE (SELECT coalesce(sum(line.amount * coalesce((
            SELECT max(r.multiplier) FROM rule r
            WHERE r.program_id = todo.program_id
              AND (r.starts_at IS NULL OR r.starts_at <= u.at)
              AND (r.ends_at IS NULL OR u.at < r.ends_at)
              AND (r.sku = line.product OR r.category = pc.category)), 1)), 0)
          FROM jsonb_to_recordset(u.l) AS line(product text, amount numeric)
          LEFT JOIN retail_products pc ON pc.tenant_id = :tenant AND pc.sku = line.product
          WHERE pc.category IS DISTINCT FROM :gift) END
    * todo.points_per_unit * coalesce((
        SELECT max(r.multiplier) FROM rule r
        WHERE r.program_id = todo.program_id AND r.sku IS NULL AND r.category IS NULL
          AND (r.starts_at IS NULL OR r.starts_at <= u.at)
          AND (r.ends_at IS NULL OR u.at < r.ends_at)), 1) END ORDER BY u.i)
    FROM unnest(todo.amounts, todo.ats, todo.ls) WITH ORDINALITY AS u(a, "at", l, i)) AS pres
  FROM todo WHERE todo.simple
), walk AS (
  WITH RECURSIVE w(m, k, n, os, ts, amounts, pres, program_id, rounding, room, staff,
                   contact_id, expiry_months, card, used, balance, reached, tier_id, rank,
                   multiplier, tier_name, o, t, a, earned, climbed_from, climbed) AS (
    SELECT s.m, 0, s.n, s.os, s.ts, s.amounts, s.pres, s.program_id, s.rounding,
           CASE WHEN s.daily_earn_cap IS NOT NULL THEN GREATEST(s.daily_earn_cap - (
             SELECT coalesce(sum(abs(e.points)), 0) FROM retail_ledger e
             WHERE e.tenant_id = :tenant AND e.member_id = s.m AND e.kind = 'earn'
               AND e.card_id IS NOT DISTINCT FROM c.card
               AND e.created_at >= (date_trunc('day', now() AT TIME ZONE s.time_zone)
                                    AT TIME ZONE s.time_zone)), 0) END::bigint,
           s.staff, s.contact_id, s.expiry_months, c.card, 0::bigint, s.balance,
           s.qualifying_points, s.tier_id, coalesce(cur.rank, 0), coalesce(cur.multiplier, 1),
           cur.name, NULL::bigint, NULL::uuid, NULL::numeric, NULL::bigint, NULL::text, false
    FROM priced s
    LEFT JOIN ladder cur ON cur.id = s.tier_id
    LEFT JOIN LATERAL (
      SELECT rc.id AS card FROM retail_cards rc
      WHERE rc.tenant_id = :tenant AND rc.member_id = s.m AND rc.state = 'active'
      ORDER BY rc.created_at, rc.id LIMIT 1) c ON true
    UNION ALL
    SELECT w.m, w.k + 1, w.n, w.os, w.ts, w.amounts, w.pres, w.program_id, w.rounding,
           w.room, w.staff, w.contact_id, w.expiry_months, w.card, w.used + x.earned,
           w.balance + x.earned, x.reached, coalesce(up.id, w.tier_id),
           coalesce(up.rank, w.rank), coalesce(up.multiplier, w.multiplier),
           coalesce(up.name, w.tier_name), w.os[w.k + 1], w.ts[w.k + 1],
           w.amounts[w.k + 1], x.earned, w.tier_name, up.id IS NOT NULL
    FROM w
    CROSS JOIN LATERAL (SELECT CASE WHEN w.pres[w.k + 1] IS NULL THEN 0 ELSE GREATEST((
        CASE w.rounding WHEN 'down' THEN floor(w.pres[w.k + 1] * w.multiplier)
                        WHEN 'up' THEN ceil(w.pres[w.k + 1] * w.multiplier)
                        ELSE round(w.pres[w.k + 1] * w.multiplier) END)::bigint, 0) END
        AS points) pt
    CROSS JOIN LATERAL (SELECT e.earned, w.reached + CASE WHEN w.staff THEN 0 ELSE e.earned END
                               AS reached
        FROM (SELECT (CASE WHEN w.room IS NULL THEN pt.points
                           ELSE GREATEST(LEAST(pt.points, w.room - w.used), 0) END)::bigint
              AS earned) e) x
    LEFT JOIN LATERAL (
      SELECT l.id, l.rank, l.multiplier, l.name FROM ladder l
      WHERE x.earned > 0 AND l.program_id = w.program_id AND l.threshold <= x.reached
        AND l.rank > w.rank
      ORDER BY l.rank DESC LIMIT 1) up ON true
    WHERE w.k < w.n
  )
  SELECT w.m, w.k, w.o, w.t, w.a, w.earned, w.balance, w.staff, w.contact_id,
         w.expiry_months, w.card, w.tier_id, w.tier_name, w.climbed_from, w.climbed
  FROM w WHERE w.k > 0
), ledger AS (
  INSERT INTO retail_ledger (tenant_id, id, member_id, kind, points, qualifying, remaining,
                             expires_at, transaction_id, amount, card_id)
  SELECT :tenant, uuidv7(), walk.m, 'earn', walk.earned, NOT walk.staff, walk.earned,
         now() + make_interval(months => walk.expiry_months), walk.t, walk.a, walk.card
  FROM walk WHERE walk.earned > 0 ORDER BY walk.o
), figures AS (
  UPDATE retail_members mm
  SET balance = mm.balance + s.points, qualifying_points = mm.qualifying_points + s.qualifying,
      tier_id = s.tier_id
  FROM (SELECT walk.m, sum(walk.earned) AS points,
               sum(CASE WHEN walk.staff THEN 0 ELSE walk.earned END) AS qualifying,
               (array_agg(walk.tier_id ORDER BY walk.k DESC))[1] AS tier_id
        FROM walk GROUP BY walk.m) s
  WHERE mm.tenant_id = :tenant AND mm.id = s.m
    AND (s.points > 0 OR s.tier_id IS DISTINCT FROM mm.tier_id)
), history AS (
  INSERT INTO retail_tier_history (tenant_id, id, member_id, from_tier, to_tier, reason)
  SELECT :tenant, uuidv7(), walk.m, walk.climbed_from, walk.tier_name, 'threshold'
  FROM walk WHERE walk.climbed ORDER BY walk.o
), bought AS (
  INSERT INTO retail_bought (tenant_id, id, member_id, sku, times, last_at)
  SELECT :tenant, uuidv7(), x.m, x.sku, count(*), now()
  FROM (SELECT DISTINCT u.o, todo.m, line->>'product' AS sku
        FROM todo CROSS JOIN unnest(todo.os, todo.ls) AS u(o, l)
        CROSS JOIN jsonb_array_elements(u.l) AS line) x
  WHERE x.sku IS NOT NULL
  GROUP BY x.m, x.sku ORDER BY x.m, x.sku
  ON CONFLICT ON CONSTRAINT uq_retail_bought_sku DO UPDATE
  SET times = retail_bought.times + excluded.times, last_at = now()
)
SELECT (SELECT coalesce(json_agg(json_build_object(
          'member_id', walk.m, 'points', walk.earned, 'transaction_id', walk.t,
          'balance', walk.balance) ORDER BY walk.o), '[]')
        FROM walk WHERE walk.earned > 0)::text AS earnings,
       (SELECT coalesce(json_agg(json_build_object(
          'member_id', walk.m, 'contact_id', walk.contact_id, 'from', walk.climbed_from,
          'to', walk.tier_name, 'reason', 'threshold', 'direction', 'up') ORDER BY walk.o),
          '[]')
        FROM walk WHERE walk.climbed)::text AS climbs,
       (SELECT coalesce(json_agg(json_build_object(
          'transaction_id', u.t, 'member_id', todo.m, 'amount', u.a::text,
          'occurred_at', u.at, 'lines', u.l) ORDER BY u.o), '[]')
        FROM todo CROSS JOIN unnest(todo.os, todo.ts, todo.amounts, todo.ats, todo.ls)
          AS u(o, t, a, "at", l)
        WHERE NOT todo.simple)::text AS slow
""")
# JSON numbers as Decimal (a line's amount): points are computed from them.
_DECODE = msgspec.json.Decoder(float_hook=Decimal).decode
Earned = tuple[uuid.UUID | None, dict[str, Any]]


async def earn_batch(batch: CommittedEvents) -> int:
    """Earn for every purchase of ``batch`` not earned yet; returns how many earned."""
    db, tenant_id = batch.session, batch.tenant_id
    relation = {"events": batch.relation}
    params = {**batch.params, "tenant": tenant_id}
    missing, pending = (await db.execute(text(_LOCK.format(**relation)), params)).one()
    if missing is not None:
        raise KeyError(missing)  # a purchase event without it: refused, alone (the worker)
    for member in await _locked(db, tenant_id, [uuid.UUID(i) for i in pending]):
        await release_due(db, member)
    earnings_json, climbs_json, slow_json = (await db.execute(
        text(_EARN.format(**relation)), {**params, "gift": GIFT_CARDS})).one()
    earned: list[Earned] = [(None, e) for e in _DECODE(earnings_json)]
    climbed: list[Earned] = [(uuid.UUID(c["member_id"]), c) for c in _DECODE(climbs_json)]
    slow = _DECODE(slow_json)
    if slow:
        await _slow(db, tenant_id, slow, earned, climbed)
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
    return len(earned)


async def _slow(db: AsyncSession, tenant_id: uuid.UUID, slow: list[dict[str, Any]],
                earned: list[Earned], climbed: list[Earned]) -> None:
    """The purchases of members with a debt or a return window, by the till's rules one at
    a time (``_one_by_one``); their ledger rows and tier history written in one INSERT
    each."""
    locked = {m.id: m for m in await _locked(db, tenant_id,
                                             {uuid.UUID(p["member_id"]) for p in slow})}
    known = _Rules()
    await known.load(db, tenant_id, list(locked.values()),
                     {x["product"] for p in slow for x in p["lines"]})
    purchases = [(locked[uuid.UUID(p["member_id"])], Purchase(
        uuid.UUID(p["transaction_id"]), Decimal(p["amount"]),
        datetime.fromisoformat(p["occurred_at"]),
        [Line(x["product"], Decimal(str(x["amount"]))) for x in p["lines"]]))
        for p in slow]
    rows: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    _one_by_one(known, purchases, rows, earned, climbed, history)
    await insert_many(db, Entry, rows)
    await insert_many(db, TierChange, history)
    await db.flush()  # the members' new figures and tiers


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
