"""Tiers: up the moment qualifying points cross a threshold, down only when the period is
settled — by the worker at each period's end, or by ``rapport retail tiers recompute``.

A member's ``qualifying_points`` counts the current period (calendar year, the rolling
last 12 months, or the year since the member's last join anniversary); settling rebuilds
it from the ledger, so the column is a cache the ledger can always correct. The worker
settles calendar years once the year has ended and anniversary years on each member's
anniversary; a rolling window never ends, so its members are reviewed on the first of every
month. The grace: with calendar and anniversary years a tier reached in a year is kept
through the whole next year (settling decides by the points of the period that ended or of
the one running, whichever supports the higher tier); with rolling windows a tier is kept
at least 12 months after the member moved to it. The card view tells the cashier how many
points this period keep the tier (``points_to_keep``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    cast,
    extract,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks, new_id
from rapport_plugins.retail import events
from rapport_plugins.retail.ledger import add_months, now
from rapport_plugins.retail.models import Entry, Member, Program, Tier, TierChange
from rapport_plugins.retail.programs import tiers_of


def supported(tiers: Sequence[Tier], points: int) -> Tier | None:
    """The highest tier whose threshold the points reach (tiers sorted by threshold)."""
    found = None
    for tier in tiers:
        if tier.threshold <= points:
            found = tier
    return found


def next_tier(tiers: Sequence[Tier], points: int) -> Tier | None:
    return next((t for t in tiers if t.threshold > points), None)


def _anniversary(joined: datetime, year: int, zone: ZoneInfo) -> datetime:
    """Midnight of the join date's anniversary in ``year`` (29 February → 28th)."""
    day = joined.astimezone(zone).date()
    try:
        day = day.replace(year=year)
    except ValueError:  # joined on 29 February; a common year keeps it on the 28th
        day = day.replace(year=year, day=28)
    return datetime(day.year, day.month, day.day, tzinfo=zone)


def period_start(program: Program, at: datetime | None = None,
                 joined: datetime | None = None) -> datetime:
    """Where the current qualifying period began: the calendar year's first day, 12 months
    ago, or (``anniversary``) the member's last join anniversary — ``joined`` is the
    member's join time; without it an anniversary program falls back to the calendar."""
    at = at or now()
    if program.tier_period == "rolling_12_months":
        return add_months(at, -12)
    zone = ZoneInfo(program.time_zone)
    local = at.astimezone(zone)
    if program.tier_period == "anniversary" and joined is not None:
        start = _anniversary(joined, local.year, zone)
        return start if start <= local else _anniversary(joined, local.year - 1, zone)
    return local.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)


def previous_start(program: Program, at: datetime | None = None,
                   joined: datetime | None = None) -> datetime | None:
    """The start of the period before the current one (None for rolling periods, which have
    no previous period: their window simply moves)."""
    if program.tier_period == "rolling_12_months":
        return None
    start = period_start(program, at, joined)
    if program.tier_period == "anniversary" and joined is not None:
        return _anniversary(joined, start.year - 1, ZoneInfo(program.time_zone))
    return start.replace(year=start.year - 1)


def _rank(tiers: Sequence[Tier], tier_id: uuid.UUID | None) -> int:
    return next((i for i, t in enumerate(tiers) if t.id == tier_id), -1)


@dataclass(frozen=True)
class Move:
    """A member's change of tier: the history row and the ``retail.tier_changed`` payload."""

    change: dict[str, Any]  # the history row's values
    payload: dict[str, Any]


def move(member: Member, tiers: Sequence[Tier], reason: str, *, allow_down: bool = False,
         deciding: int | None = None, one_step: bool = False) -> Move | None:
    """Set the member (locked) to the tier their points (``deciding``, default the current
    period's) support, only up unless ``allow_down`` — and then, with ``one_step``, no
    lower than the tier just below the current one; None when the tier stays."""
    target = supported(tiers, member.qualifying_points if deciding is None else deciding)
    if (target.id if target else None) == member.tier_id:
        return None  # the common case, decided without ranking
    current = next((t for t in tiers if t.id == member.tier_id), None)
    rank = _rank(tiers, member.tier_id)
    if one_step and rank > 0 and _rank(tiers, target.id if target else None) < rank - 1:
        target = tiers[rank - 1]
    target_id = target.id if target else None
    if target_id == member.tier_id:
        return None
    going_up = _rank(tiers, target_id) > rank
    if not going_up and not allow_down:
        return None
    member.tier_id = target_id
    before = current.name if current else None
    after = target.name if target else None
    return Move({"tenant_id": member.tenant_id, "id": new_id(), "member_id": member.id,
                 "from_tier": before, "to_tier": after, "reason": reason},
                {"member_id": str(member.id),
                 "contact_id": str(member.contact_id) if member.contact_id else None,
                 "from": before, "to": after, "reason": reason,
                 "direction": "up" if going_up else "down"})


async def settle(db: AsyncSession, member: Member, tiers: Sequence[Tier], reason: str, *,
                 allow_down: bool = False, actor: Principal | None = None,
                 hooks: TenantHooks | None = None, deciding: int | None = None,
                 one_step: bool = False) -> tuple[str | None, str | None]:
    """``move`` the member, recording the change and publishing ``retail.tier_changed``;
    returns the tier names before and after."""
    before = next((t.name for t in tiers if t.id == member.tier_id), None)
    moved = move(member, tiers, reason, allow_down=allow_down, deciding=deciding,
                 one_step=one_step)
    if moved is None:
        return before, before
    db.add(TierChange(**moved.change))
    await db.flush()
    await events.publish(db, actor, hooks, events.TIER_CHANGED, member.tenant_id, member.id,
                         moved.payload)
    return before, moved.change["to_tier"]


async def recompute(db: AsyncSession, tenant_id: uuid.UUID, program: Program,
                    after: uuid.UUID | None, batch: int
                    ) -> tuple[int, int, uuid.UUID | None]:
    """Settle one batch of the program's members (ids after ``after``): qualifying points
    rebuilt from the ledger for the current period, tier set to what they support, down as
    well as up. Returns (members done, tiers changed, last id) — the caller commits each
    batch and continues from the last id, so an interrupted run resumes where it stopped."""
    tiers = await tiers_of(db, tenant_id, program.id)
    query = (select(Member.id).where(Member.tenant_id == tenant_id,
                                     Member.program_id == program.id)
             .order_by(Member.id).limit(batch))
    if after is not None:
        query = query.where(Member.id > after)
    ids = list((await db.execute(query)).scalars())
    changed = 0
    for member_id in ids:
        changed += await settle_period(db, tenant_id, program, tiers, member_id)
    return len(ids), changed, (ids[-1] if ids else None)


async def settle_period(db: AsyncSession, tenant_id: uuid.UUID, program: Program,
                        tiers: Sequence[Tier], member_id: uuid.UUID) -> bool:
    """One member's settlement (locked): qualifying points rebuilt from the ledger for the
    member's current period, the tier set to what the points support within the grace,
    down as well as up. Returns whether the tier changed."""
    member = (await db.execute(select(Member).where(
        Member.tenant_id == tenant_id, Member.id == member_id).with_for_update()
        .execution_options(populate_existing=True))).scalar_one()
    at = now()
    start = period_start(program, at, joined=member.joined_at)
    member.qualifying_points = max(0, await _earned(db, member, start))
    if program.tier_period == "rolling_12_months":
        member.tier_reviewed_on = month_start(program, at).date()
        deciding = max(member.qualifying_points,
                       await _kept(db, member, tiers, add_months(at, -12)))
    else:
        member.tier_settled_year = start.year
        before = previous_start(program, at, joined=member.joined_at)
        ended = await _earned(db, member, before, start) if before is not None else 0
        deciding = max(member.qualifying_points, ended)
    was, now_in = await settle(db, member, tiers, "period", allow_down=True,
                               deciding=deciding, one_step=program.downgrade == "one_step")
    return was != now_in


async def _earned(db: AsyncSession, member: Member, since: datetime,
                  until: datetime | None = None) -> int:
    """The member's qualifying points earned (net of reversals) in [since, until)."""
    query = select(func.coalesce(func.sum(Entry.points), 0)).where(
        Entry.tenant_id == member.tenant_id, Entry.member_id == member.id, Entry.qualifying,
        Entry.created_at >= since)
    if until is not None:
        query = query.where(Entry.created_at < until)
    return int(await db.scalar(query) or 0)


async def _kept(db: AsyncSession, member: Member, tiers: Sequence[Tier],
                since: datetime) -> int:
    """A rolling window's grace: the threshold of the member's tier when they moved to it
    on or after ``since`` (so it is kept), else 0."""
    current = next((t for t in tiers if t.id == member.tier_id), None)
    if current is None:
        return 0
    moved = await db.scalar(select(func.max(TierChange.created_at)).where(
        TierChange.tenant_id == member.tenant_id, TierChange.member_id == member.id))
    return current.threshold if moved is not None and moved >= since else 0


def month_start(program: Program, at: datetime | None = None) -> datetime:
    """Midnight of the first of the current month in the program's time zone: when a
    rolling program's members are reviewed."""
    local = (at or now()).astimezone(ZoneInfo(program.time_zone))
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


async def period_ends(db: AsyncSession, tenant_id: uuid.UUID, limit: int = 500) -> int:
    """The worker's settlements, up to ``limit`` members a program a pass: calendar-year
    programs once the year has ended (members who joined before it, once a year),
    anniversary programs on each member's join anniversary (once a year), rolling programs
    on the first of each month (members who joined before it, once a month). Each is marked
    as it is settled, so passes may overlap and a long run continues where it stopped."""
    done = 0
    programs = (await db.execute(select(Program).where(Program.tenant_id == tenant_id)
                                 .order_by(Program.id))).scalars().all()
    for program in programs:
        # No ORDER BY: it would let PostgreSQL walk the whole key in order looking for due
        # members instead of asking the marks' indexes for the few there are; sorted here,
        # so overlapping workers lock members in one order.
        ids = sorted((await db.execute(
            select(Member.id).where(Member.tenant_id == tenant_id,
                                    Member.program_id == program.id,
                                    Member.erased_at.is_(None), _due(program))
            .limit(limit))).scalars())
        if not ids:
            continue
        tiers = await tiers_of(db, tenant_id, program.id)
        for member_id in ids:
            await settle_period(db, tenant_id, program, tiers, member_id)
            done += 1
        await db.flush()
    return done


def _due(program: Program) -> ColumnElement[bool]:
    """Which of the program's members have a settlement due now."""
    local = now().astimezone(ZoneInfo(program.time_zone))
    if program.tier_period == "rolling_12_months":
        month = month_start(program)
        return (Member.joined_at < month) & or_(Member.tier_reviewed_on.is_(None),
                                                Member.tier_reviewed_on < month.date())
    unsettled = or_(Member.tier_settled_year.is_(None), Member.tier_settled_year < local.year)
    if program.tier_period == "calendar_year":
        return (Member.joined_at < period_start(program)) & unsettled
    joined = Member.joined_at.op("AT TIME ZONE")(program.time_zone)
    # Joined before this year, anniversary (month, day) on or before today; 29 February
    # counts as the 28th, which a (2, 29) <= today test covers in leap years and the
    # explicit 28 February case in common ones.
    due = (extract("month", joined) < local.month) | (
        (extract("month", joined) == local.month) & (extract("day", joined) <= local.day))
    if (local.month, local.day) == (2, 28):
        due = due | ((extract("month", joined) == 2) & (extract("day", joined) == 29))
    return (extract("year", joined) < local.year) & due & unsettled


async def warnings(db: AsyncSession, tenant_id: uuid.UUID, limit: int = 500) -> int:
    """The worker's warning before a downgrade: within ``tier_warning_days`` of the end of a
    member's period (the calendar year's, their next join anniversary, or for rolling
    windows the next monthly review), each member whose points would not keep their tier
    gets ``retail.tier_warning`` saying how many points keep it — once a period
    (``tier_warned_until``)."""
    done = 0
    programs = (await db.execute(select(Program).where(
        Program.tenant_id == tenant_id, Program.tier_warning_days > 0)
        .order_by(Program.id))).scalars().all()
    for program in programs:
        if program.tier_period == "rolling_12_months":
            done += await _rolling_warnings(db, tenant_id, program, limit)
            continue
        today = now().astimezone(ZoneInfo(program.time_zone)).date()
        horizon = today + timedelta(days=program.tier_warning_days)
        ends: ColumnElement[date]
        if program.tier_period == "calendar_year":
            if date(today.year + 1, 1, 1) > horizon:
                continue
            ends = literal(date(today.year + 1, 1, 1), Date)
        else:
            joined = cast(Member.joined_at.op("AT TIME ZONE")(program.time_zone), Date)
            years = cast(func.date_part("year", func.age(literal(today, Date), joined)),
                         Integer) + 1
            # PostgreSQL keeps 29 February on the 28th in common years.
            ends = cast(joined + func.make_interval(years), Date)
        rows = (await db.execute(
            select(Member.id, Member.contact_id, Tier.name,
                   Tier.threshold - Member.qualifying_points, ends)
            .join(Tier, (Tier.tenant_id == Member.tenant_id) & (Tier.id == Member.tier_id))
            .where(Member.tenant_id == tenant_id, Member.program_id == program.id,
                   Member.erased_at.is_(None), Member.qualifying_points < Tier.threshold,
                   ends <= horizon,
                   or_(Member.tier_warned_until.is_(None), Member.tier_warned_until < ends))
            .order_by(Member.id).limit(limit))).tuples().all()
        for member_id, contact_id, tier, points, until in rows:
            await db.execute(update(Member).where(
                Member.tenant_id == tenant_id, Member.id == member_id)
                .values(tier_warned_until=until))
            await _warn(db, tenant_id, member_id, contact_id, tier, int(points), until)
            done += 1
    return done


async def _rolling_warnings(db: AsyncSession, tenant_id: uuid.UUID, program: Program,
                            limit: int) -> int:
    """Rolling windows: what a member's points will be at the next review (the first of
    next month) is what is left of the window then, so each member with a tier is weighed
    once before each review, up to ``limit`` a pass, and marked weighed whether warned or
    not (``tier_warned_until`` = the review's day): a member's window only loses points
    as days pass, and the weighing already counts them lost."""
    review = add_months(month_start(program), 1)
    today = now().astimezone(ZoneInfo(program.time_zone)).date()
    if review.date() > today + timedelta(days=program.tier_warning_days):
        return 0
    members = sorted((await db.execute(select(Member).where(
        Member.tenant_id == tenant_id, Member.program_id == program.id,
        Member.erased_at.is_(None), Member.tier_id.is_not(None),
        or_(Member.tier_warned_until.is_(None), Member.tier_warned_until < review.date()))
        .limit(limit))).scalars().all(), key=lambda m: m.id)  # unordered: see period_ends
    if not members:
        return 0
    tiers = await tiers_of(db, tenant_id, program.id)
    since = add_months(review, -12)
    done = 0
    for member in members:
        member.tier_warned_until = review.date()
        current = next((t for t in tiers if t.id == member.tier_id), None)
        left = await _earned(db, member, since)
        if current is None or left >= current.threshold or await _kept(db, member, tiers,
                                                                        since):
            continue
        await _warn(db, tenant_id, member.id, member.contact_id, current.name,
                    current.threshold - left, review.date())
        done += 1
    await db.flush()
    return done


async def _warn(db: AsyncSession, tenant_id: uuid.UUID, member_id: uuid.UUID,
                contact_id: uuid.UUID | None, tier: str, points: int, until: date) -> None:
    await events.publish(db, None, None, events.TIER_WARNING, tenant_id, member_id,
                         {"member_id": str(member_id),
                          "contact_id": str(contact_id) if contact_id else None,
                          "tier": tier, "points_to_keep": points,
                          "period_ends": until.isoformat()})


async def count_members(db: AsyncSession, tenant_id: uuid.UUID, program_id: uuid.UUID) -> int:
    return int(await db.scalar(select(func.count()).select_from(Member).where(
        Member.tenant_id == tenant_id, Member.program_id == program_id)) or 0)


Progress = Callable[[int], None]
