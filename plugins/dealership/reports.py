"""Management's numbers: kept-rate per salesperson, branch or kind over a period;
calibration (for promises made at probability p, the share kept; a Brier score per
salesperson); deposits held on orders already late.

The promise report reads only the period asked for, through the ``(tenant_id, due_at)``
index that INCLUDEs every column it groups and counts (an index-only scan): its cost grows
with the period, not with the tenant's whole history."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Float, Numeric, Select, String, and_, case, cast, func, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import invalid
from rapport_plugins.dealership.models import Order, Payment, Promise
from rapport_plugins.dealership.schemas import (
    CalibrationBucket,
    LateDeposit,
    MemberCalibration,
    ReportRow,
)

GROUPS = {"member": Promise.promised_by, "branch": Promise.branch, "kind": Promise.kind}
DECIDED = Promise.status.in_(("kept", "broken"))
KEPT = case((Promise.status == "kept", 1.0), else_=0.0)


def window(start: date, end: date) -> tuple[datetime, datetime]:
    if end < start:
        raise invalid("to", "must not be before from")
    if (end - start).days > 3660:
        raise invalid("to", "at most ten years after from")
    return (datetime.combine(start, time.min, UTC),
            datetime.combine(end + timedelta(days=1), time.min, UTC))


def _count(condition: Any) -> Any:
    return func.count().filter(condition)


def _in_branch(column: Any, branch: str | None) -> Any:
    """A branch manager's numbers cover their branch only (``scope.Scope.branch``)."""
    return true() if branch is None else column == branch


def _rounded(value: Any) -> Any:
    return func.round(cast(value, Numeric), 4).cast(Float)


def promise_report_statement(tenant_id: uuid.UUID, group_by: str, start: date,
                             end: date, branch: str | None = None) -> Select[Any]:
    """One statement that returns the report's rows as they are answered: the counts, the
    kept-rate, the mean probability and the Brier score already rounded, so rows become
    structs without any arithmetic in Python."""
    key = GROUPS[group_by]
    since, until = window(start, end)
    kept, broken = _count(Promise.status == "kept"), _count(Promise.status == "broken")
    return (
        select(cast(key, String).label("key"), func.count().label("made"),
               _count(Promise.status == "open").label("open"), kept.label("kept"),
               broken.label("broken"),
               _count(Promise.status == "renegotiated").label("renegotiated"),
               _count(Promise.status == "cancelled").label("cancelled"),
               _rounded(cast(kept, Float) / func.nullif(kept + broken, 0)).label("kept_rate"),
               _rounded(func.avg(Promise.probability)).label("mean_probability"),
               _rounded(func.avg(func.power(Promise.probability - KEPT, 2)).filter(DECIDED))
               .label("brier"))
        .where(Promise.tenant_id == tenant_id, Promise.due_at >= since, Promise.due_at < until,
               _in_branch(Promise.branch, branch))
        .group_by(key).order_by(key)
    )


async def promise_report(db: AsyncSession, tenant_id: uuid.UUID, group_by: str, start: date,
                         end: date, branch: str | None = None) -> list[ReportRow]:
    """Core rows straight into structs (no ORM row processing, no per-row arithmetic)."""
    conn = await db.connection()
    result = await conn.execute(promise_report_statement(tenant_id, group_by, start, end,
                                                         branch))
    return [ReportRow(*row) for row in result]


async def calibration(db: AsyncSession, tenant_id: uuid.UUID, start: date, end: date,
                      branch: str | None = None,
                      ) -> tuple[list[CalibrationBucket], list[MemberCalibration]]:
    since, until = window(start, end)
    period = and_(Promise.tenant_id == tenant_id, Promise.due_at >= since,
                  Promise.due_at < until, DECIDED, _in_branch(Promise.branch, branch))
    bucket = func.least(func.floor(Promise.probability * 10), 9).label("bucket")
    found = {int(b): (n, k) for b, n, k in await db.execute(
        select(bucket, func.count(), _count(Promise.status == "kept"))
        .where(period).group_by(bucket))}
    buckets = []
    for b in range(10):
        n, k = found.get(b, (0, 0))
        buckets.append(CalibrationBucket(b / 10, (b + 1) / 10, n, k,
                                         round(k / n, 4) if n else None))
    members = [
        MemberCalibration(m, n, round(p, 4), round(kept, 4), round(brier, 4))
        for m, n, p, kept, brier in await db.execute(
            select(Promise.promised_by, func.count(), func.avg(Promise.probability),
                   func.avg(KEPT), func.avg(func.power(Promise.probability - KEPT, 2)))
            .where(period).group_by(Promise.promised_by)
            .order_by(func.avg(func.power(Promise.probability - KEPT, 2)).desc()))
    ]
    return buckets, members


async def late_deposits(db: AsyncSession, tenant_id: uuid.UUID,
                        branch: str | None = None) -> list[LateDeposit]:
    today = datetime.now(UTC).date()
    signed = func.sum(case((Payment.kind == "refund", -Payment.amount_minor),
                           else_=Payment.amount_minor))
    rows = await db.execute(
        select(Order, signed)
        .join(Payment, and_(Payment.tenant_id == Order.tenant_id, Payment.order_id == Order.id))
        .where(Order.tenant_id == tenant_id, Order.expected_delivery < today,
               Order.state.not_in(("delivered", "cancelled", "unwound")),
               _in_branch(Order.branch, branch))
        .group_by(Order.tenant_id, Order.id).having(signed > 0)
        .order_by(Order.expected_delivery))
    return [LateDeposit(o.id, o.contact_id, o.salesperson_id, o.expected_delivery,
                        (today - o.expected_delivery).days, int(h), o.currency)
            for o, h in rows]
