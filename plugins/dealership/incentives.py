"""Incentives: quotas with a bonus per unit above them, sales contests and their
leaderboard. Credit comes only from ``dealership_sale_credits``: written on delivery for
the order's salespeople (split by explicit percentages), counted on the delivery date,
reversed when the deal unwinds; reassignments and splits are logged on the order and
shown with the contest."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks, audit, conflict, invalid, not_found
from rapport_plugins.dealership.events import announce
from rapport_plugins.dealership.members import names, require_members
from rapport_plugins.dealership.models import (
    Contest,
    Order,
    OrderLog,
    Quota,
    SaleCredit,
    Staff,
)
from rapport_plugins.dealership.roles import require_manager
from rapport_plugins.dealership.schemas import (
    ContestIn,
    CreditChange,
    QuotaIn,
    QuotaOut,
    Standing,
)
from rapport_plugins.dealership.scope import branch_of, scope_of

COUNTS = SaleCredit.reversed_on.is_(None)


def _period(start: date, end: date, field: str) -> None:
    if end < start:
        raise invalid(field, "must not be before the start")


def _of_branch(tenant_id: uuid.UUID, branch: str | None) -> Any:
    """Credits of the branch's orders (``None``: of every order)."""
    if branch is None:
        return true()
    return SaleCredit.order_id.in_(select(Order.id).where(Order.tenant_id == tenant_id,
                                                          Order.branch == branch))


async def credited(db: AsyncSession, tenant_id: uuid.UUID, start: date,
                   end: date, branch: str | None = None) -> dict[uuid.UUID, tuple[float, int]]:
    """member → (units, gross) credited in [start, end], unwound deals excluded; with a
    branch, only the sales of that branch's orders."""
    rows = await db.execute(
        select(SaleCredit.member_id, func.sum(SaleCredit.percent), func.sum(SaleCredit.gross_minor))
        .where(SaleCredit.tenant_id == tenant_id, SaleCredit.counted_on >= start,
               SaleCredit.counted_on <= end, COUNTS, _of_branch(tenant_id, branch))
        .group_by(SaleCredit.member_id))
    return {m: (int(pct) / 100, int(gross)) for m, pct, gross in rows}


async def add_quota(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                    data: QuotaIn) -> Quota:
    require_manager(principal)
    _period(data.period_start, data.period_end, "period_end")
    await require_members(db, principal.tenant_id, [data.member_id], "member_id")
    branch = (await scope_of(db, principal)).branch
    if branch is not None and await branch_of(db, principal.tenant_id,
                                              data.member_id) != branch:
        raise invalid("member_id", f"not one of {branch}'s people")
    quota = Quota(tenant_id=principal.tenant_id, member_id=data.member_id,
                  period_start=data.period_start, period_end=data.period_end, units=data.units,
                  bonus_per_unit_minor=data.bonus_per_unit_minor, currency=data.currency)
    try:
        async with db.begin_nested():
            db.add(quota)
            await db.flush()
    except IntegrityError as exc:
        raise conflict("This salesperson already has a quota starting that day") from exc
    await audit.record(db, principal, audit.CREATE, "dealership.quota", quota.id,
                       changes={"units": [None, quota.units]})
    await announce(db, principal, hooks, "dealership.quota_set", "dealership.quota", quota.id,
               {"member_id": quota.member_id, "units": quota.units,
                "period_start": quota.period_start, "period_end": quota.period_end})
    return quota


async def quota_standing(db: AsyncSession, quota: Quota) -> QuotaOut:
    sold, _ = (await credited(db, quota.tenant_id, quota.period_start, quota.period_end)).get(
        quota.member_id, (0.0, 0))
    above = max(0.0, sold - quota.units)
    return QuotaOut(quota.id, quota.member_id, quota.period_start, quota.period_end,
                    quota.units, quota.bonus_per_unit_minor, quota.currency, sold, above,
                    int(above * quota.bonus_per_unit_minor))


async def quotas(db: AsyncSession, principal: Principal, on: date | None) -> list[QuotaOut]:
    query = select(Quota).where(Quota.tenant_id == principal.tenant_id)
    if on is not None:
        query = query.where(Quota.period_start <= on, Quota.period_end >= on)
    scope = await scope_of(db, principal)
    if scope.member is not None:
        query = query.where(Quota.member_id == scope.member)
    elif scope.branch is not None:
        query = query.where(Quota.member_id.in_(select(Staff.member_id).where(
            Staff.tenant_id == principal.tenant_id, Staff.branch == scope.branch)))
    rows = (await db.execute(query.order_by(Quota.period_start.desc()).limit(500))).scalars()
    return [await quota_standing(db, q) for q in rows]


async def add_contest(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                      data: ContestIn) -> Contest:
    """A contest of one branch (a branch manager's: always theirs; another answers 403
    naming ``branch``) or, without a branch, of the whole dealership."""
    require_manager(principal)
    _period(data.starts_on, data.ends_on, "ends_on")
    branch = (await scope_of(db, principal)).check_branch(data.branch)
    contest = Contest(tenant_id=principal.tenant_id, name=data.name, starts_on=data.starts_on,
                      ends_on=data.ends_on, measure=data.measure, prizes=list(data.prizes),
                      branch=branch)
    db.add(contest)
    await db.flush()
    await audit.record(db, principal, audit.CREATE, "dealership.contest", contest.id,
                       changes={"name": [None, contest.name], "branch": [None, branch]})
    await announce(db, principal, hooks, "dealership.contest_created", "dealership.contest",
               contest.id, {"name": contest.name, "measure": contest.measure,
                            "branch": branch})
    return contest


async def _visible(db: AsyncSession, principal: Principal) -> Any:
    """The contests a principal sees: a branch manager their branch's; a salesperson the
    dealership-wide ones and their branch's; everyone else all."""
    scope = await scope_of(db, principal)
    if scope.branch is not None:
        return Contest.branch == scope.branch
    if scope.member is not None:
        mine = await branch_of(db, principal.tenant_id, scope.member)
        return or_(Contest.branch.is_(None), Contest.branch == mine)
    return true()


async def contest_of(db: AsyncSession, principal: Principal, contest_id: uuid.UUID) -> Contest:
    """One contest in the principal's sight (another branch's answers 404)."""
    found = (await db.execute(select(Contest).where(
        Contest.tenant_id == principal.tenant_id, Contest.id == contest_id,
        await _visible(db, principal)))).scalar_one_or_none()
    if found is None:
        raise not_found("Contest")
    return found


async def end_contest(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                      contest_id: uuid.UUID) -> Contest:
    """End a running contest today (managers; a branch manager their branch's): sales
    delivered after today no longer count. One not started yet or already over: 409."""
    require_manager(principal)
    contest = await contest_of(db, principal, contest_id)
    today = datetime.now(UTC).date()
    if contest.ends_on <= today:
        raise conflict(f"The contest is already over (it ended on {contest.ends_on})")
    if contest.starts_on > today:
        raise conflict(f"The contest has not started yet (it starts on {contest.starts_on})")
    before, contest.ends_on = contest.ends_on, today
    await db.flush()
    await audit.record(db, principal, audit.UPDATE, "dealership.contest", contest.id,
                       changes={"ends_on": [before.isoformat(), today.isoformat()]})
    await announce(db, principal, hooks, "dealership.contest_ended", "dealership.contest",
                   contest.id, {"name": contest.name, "ends_on": today.isoformat(),
                    "branch": contest.branch})
    return contest


async def contests(db: AsyncSession, principal: Principal) -> list[Contest]:
    return list((await db.execute(select(Contest).where(
        Contest.tenant_id == principal.tenant_id, await _visible(db, principal))
        .order_by(Contest.starts_on.desc()).limit(200))).scalars())


async def leaderboard(db: AsyncSession, contest: Contest) -> tuple[list[Standing],
                                                                   list[CreditChange]]:
    totals = await credited(db, contest.tenant_id, contest.starts_on, contest.ends_on,
                            contest.branch)
    who = await names(db, contest.tenant_id, totals)

    def measure(item: tuple[uuid.UUID, tuple[float, int]]) -> Any:
        units, gross = item[1]
        return (-units, -gross) if contest.measure == "units" else (-gross, -units)

    standings = [Standing(rank, m, who.get(m, str(m)), units, gross)
                 for rank, (m, (units, gross)) in enumerate(sorted(totals.items(), key=measure),
                                                            start=1)]
    orders = select(SaleCredit.order_id).where(
        SaleCredit.tenant_id == contest.tenant_id, SaleCredit.counted_on >= contest.starts_on,
        SaleCredit.counted_on <= contest.ends_on, _of_branch(contest.tenant_id, contest.branch))
    logs = await db.execute(
        select(OrderLog).where(
            OrderLog.tenant_id == contest.tenant_id, OrderLog.order_id.in_(orders),
            or_(OrderLog.kind.in_(("reassigned", "split")),
                OrderLog.data["to"].astext == "unwound"))
        .order_by(OrderLog.created_at))
    changes = [CreditChange(e.order_id, e.kind, e.summary, e.actor_id, e.created_at)
               for e in logs.scalars()]
    return standings, changes
