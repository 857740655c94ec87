"""The points ledger: append-only entries, earnings kept as batches.

Every change locks the member row first (``SELECT … FOR UPDATE``), so changes to one
member's points are serialised; the debit itself is ``UPDATE … SET balance = balance - n
WHERE balance >= n`` and the column's ``CHECK (balance >= 0)`` is the last word: whatever
runs at the same moment, the balance never goes negative. Redemptions consume the batches
that expire first; expiry takes only what is left of a batch, never points still valid.
"""

from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import conflict, new_id, not_found
from rapport_plugins.retail.models import Entry, Member, Program


def add_months(at: datetime, months: int) -> datetime:
    month = at.month - 1 + months
    year, month = at.year + month // 12, month % 12 + 1
    return at.replace(year=year, month=month,
                      day=min(at.day, calendar.monthrange(year, month)[1]))


def now() -> datetime:
    return datetime.now(UTC)


async def lock_member(db: AsyncSession, tenant_id: uuid.UUID, member_id: uuid.UUID) -> Member:
    member = (await db.execute(
        select(Member).where(Member.tenant_id == tenant_id, Member.id == member_id)
        .with_for_update().execution_options(populate_existing=True))).scalar_one_or_none()
    if member is None:
        raise not_found("Member")
    await release_due(db, member)
    return member


async def release_due(db: AsyncSession, member: Member) -> int:
    """Pending batches whose return window has passed become redeemable (and count toward
    the tier); done whenever the member is locked for a change, so no job is needed."""
    if member.pending <= 0:
        return 0
    due = list((await db.execute(select(Entry).where(
        Entry.tenant_id == member.tenant_id, Entry.member_id == member.id,
        Entry.available_at.is_not(None), Entry.available_at <= now())
        .with_for_update())).scalars())
    for entry in due:
        # A pending batch is never consumed; a return may have made it smaller.
        entry.available_at = None
        points = entry.remaining
        member.pending -= points
        if entry.qualifying:
            member.qualifying_points += points
        entry.remaining = points - _repay(member, points)
    if due:
        await db.flush()
    return len(due)


async def by_external_id(db: AsyncSession, member: Member, external_id: str | None
                         ) -> Entry | None:
    if external_id is None:
        return None
    return (await db.execute(select(Entry).where(
        Entry.tenant_id == member.tenant_id, Entry.member_id == member.id,
        Entry.external_id == external_id))).scalar_one_or_none()


@dataclass(frozen=True)
class Source:
    """Where an entry comes from (all optional)."""

    external_id: str | None = None
    transaction_id: uuid.UUID | None = None
    card_id: uuid.UUID | None = None
    amount: Decimal | None = None
    reason: str | None = None
    recorded_by: uuid.UUID | None = None


def batch_row(member: Member, program: Program, kind: str, points: int, *, qualifying: bool,
              source: Source = Source()) -> dict[str, Any]:
    """A new batch of ``points`` as a ledger row's values, the (locked) member's figures
    moved in memory: expiring per the program; a purchase's points wait ``pending_days``
    (the return window) when the program says so, and otherwise first repay a debt."""
    expires = (add_months(now(), program.expiry_months)
               if program.expiry_months is not None else None)
    held = kind == "earn" and program.pending_days > 0
    repaid = 0 if held else _repay(member, points)
    if held:
        member.pending += points
    elif qualifying:
        member.qualifying_points += points
    return {"tenant_id": member.tenant_id, "id": new_id(), "member_id": member.id,
            "kind": kind, "points": points, "qualifying": qualifying,
            "remaining": points - repaid, "expires_at": expires,
            "available_at": now() + timedelta(days=program.pending_days) if held else None,
            "external_id": source.external_id, "transaction_id": source.transaction_id,
            "card_id": source.card_id, "amount": source.amount, "reason": source.reason,
            "recorded_by": source.recorded_by}


async def credit(db: AsyncSession, member: Member, program: Program, kind: str, points: int,
                 *, qualifying: bool, source: Source = Source()) -> Entry:
    """Add a batch of ``points`` (member locked by the caller); see ``batch_row``."""
    entry = Entry(**batch_row(member, program, kind, points, qualifying=qualifying,
                              source=source))
    db.add(entry)
    await db.flush()
    return entry


def _repay(member: Member, points: int) -> int:
    """Add ``points`` to the (locked) member's balance; what goes to repay a debt a return
    left (a negative balance) is returned — that part of the batch is spent already."""
    repaid = min(points, member.debt)
    member.balance += points
    member.debt = max(0, -member.balance)
    return repaid


async def debit(db: AsyncSession, member: Member, kind: str, points: int,
                *, qualifying: bool = False, source: Source = Source(),
                field: str = "points", first: uuid.UUID | None = None) -> Entry:
    """Take ``points`` from the balance, oldest-expiring batches first; 409 naming
    ``field`` when the balance is smaller."""
    await db.flush()
    left = await db.scalar(
        update(Member).where(Member.tenant_id == member.tenant_id, Member.id == member.id,
                             Member.balance >= points)
        .values(balance=Member.balance - points).returning(Member.balance))
    if left is None:
        raise conflict(f"{field}: {points} points exceed the available balance "
                       f"({member.balance})", field=field, balance=member.balance)
    member.balance = left
    await consume(db, member, points, first)
    entry = Entry(tenant_id=member.tenant_id, id=new_id(), member_id=member.id, kind=kind,
                  points=-points, qualifying=qualifying, remaining=0,
                  external_id=source.external_id, transaction_id=source.transaction_id,
                  card_id=source.card_id, amount=source.amount, reason=source.reason,
                  recorded_by=source.recorded_by)
    db.add(entry)
    if qualifying:
        member.qualifying_points = max(0, member.qualifying_points - points)
    await db.flush()
    return entry


async def take_back(db: AsyncSession, member: Member, points: int, *, qualifying: bool,
                    source: Source, first: uuid.UUID | None = None) -> Entry:
    """A return's claw-back under the program's ``negative`` rule: what the balance covers
    comes from the batches (``first`` before the others), the rest leaves the balance below
    zero as ``debt``, which later earnings repay before anything else (member locked)."""
    covered = min(points, max(0, member.balance))
    await consume(db, member, covered, first)
    member.balance -= points
    member.debt = max(0, -member.balance)
    entry = Entry(tenant_id=member.tenant_id, id=new_id(), member_id=member.id, kind="reverse",
                  points=-points, qualifying=qualifying, remaining=0,
                  external_id=source.external_id, transaction_id=source.transaction_id,
                  card_id=source.card_id, amount=source.amount, reason=source.reason,
                  recorded_by=source.recorded_by)
    db.add(entry)
    if qualifying:
        member.qualifying_points = max(0, member.qualifying_points - points)
    await db.flush()
    return entry


def start_of_day(program: Program) -> datetime:
    local = now().astimezone(ZoneInfo(program.time_zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


async def today_total(db: AsyncSession, member: Member, program: Program, kind: str,
                      card_id: uuid.UUID | None) -> int:
    """Points of ``kind`` earned (or redeemed, as a positive number) today in the program's
    time zone on one card of the member — the daily caps are per card (``None``: the
    entries of no card). The member is locked (every card of it is the member's), so the
    figure holds until commit whatever runs on the member's other cards."""
    total = await db.scalar(select(func.coalesce(func.sum(func.abs(Entry.points)), 0)).where(
        Entry.tenant_id == member.tenant_id, Entry.member_id == member.id,
        Entry.card_id.is_not_distinct_from(card_id),
        Entry.kind == kind, Entry.created_at >= start_of_day(program)))
    return int(total or 0)


async def consume(db: AsyncSession, member: Member, points: int,
                   first: uuid.UUID | None = None) -> None:
    """Oldest-expiring batches first; ``first`` (a return's own purchase) before them."""
    batches = (await db.execute(
        select(Entry).where(Entry.tenant_id == member.tenant_id, Entry.member_id == member.id,
                            Entry.remaining > 0, Entry.available_at.is_(None))
        .order_by((Entry.id != first) if first else Entry.id.is_(None),
                  Entry.expires_at.asc().nulls_last(), Entry.id)
        .with_for_update())).scalars()
    for batch in batches:
        if points <= 0:
            break
        take = min(points, batch.remaining)
        batch.remaining -= take
        points -= take


async def expire_due(db: AsyncSession, tenant_id: uuid.UUID, limit: int) -> int:
    """Expire what is left of up to ``limit`` batches past their date; returns how many.
    Each batch's member is locked first, as every other change does, so no deadlock."""
    due = (await db.execute(
        select(Entry.member_id, Entry.id).where(
            Entry.tenant_id == tenant_id, Entry.remaining > 0, Entry.expires_at <= now(),
            Entry.available_at.is_(None))
        .order_by(Entry.expires_at).limit(limit))).all()
    done = 0
    for member_id, entry_id in due:
        member = await lock_member(db, tenant_id, member_id)
        batch = (await db.execute(select(Entry).where(
            Entry.tenant_id == tenant_id, Entry.id == entry_id, Entry.remaining > 0)
            .with_for_update().execution_options(populate_existing=True))).scalar_one_or_none()
        if batch is None:
            continue
        points, batch.remaining = batch.remaining, 0
        member.balance -= points  # the member row is locked: a plain write is exact
        db.add(Entry(tenant_id=tenant_id, id=new_id(), member_id=member_id, kind="expire",
                     points=-points, qualifying=False, remaining=0,
                     reason=f"batch {entry_id} expired"))
        await db.flush()
        done += 1
    return done
