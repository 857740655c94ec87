"""Reading analytics: one contact's classes and history, the tenant's summary (counts per
class, the ABC-XYZ matrix, the CLV distribution) and the class changes — every query
names the tenant."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.analytics.classes import ABC, CLASSES, XYZ
from rapport.core.analytics.jobs import last_completed
from rapport.core.analytics.models import STEPS, ClassChange, ContactAnalytics
from rapport.core.contacts.service import get_contact
from rapport.core.pagination import Page, by_id, check_limit, cut, newest_first
from rapport.errors import invalid
from rapport.tenancy.principal import Principal

HISTORY_SHOWN = 20
HISTOGRAM_BINS = 10
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def class_kind(value: str, field: str = "kind") -> str:
    """``value`` as a class kind, or a 422 naming ``field``."""
    if value not in CLASSES:
        raise invalid(field, f"unknown class {value!r} (use {', '.join(CLASSES)})")
    return value


async def contact_classes(session: AsyncSession, actor: Principal,
                          contact_id: uuid.UUID) -> tuple[ContactAnalytics | None,
                                                          list[ClassChange]]:
    """The contact's stored classes (None before any recompute) and latest changes; 404 for
    a contact that is not the tenant's (or is in the trash)."""
    await get_contact(session, actor, contact_id)
    row = (await session.execute(
        select(ContactAnalytics).where(ContactAnalytics.tenant_id == actor.tenant_id,
                                       ContactAnalytics.contact_id == contact_id)
    )).scalar_one_or_none()
    changes = list((await session.execute(
        select(ClassChange).where(ClassChange.tenant_id == actor.tenant_id,
                                  ClassChange.contact_id == contact_id)
        .order_by(ClassChange.id.desc()).limit(HISTORY_SHOWN)
    )).scalars())
    return row, changes


async def _counts(session: AsyncSession, tenant_id: uuid.UUID, column: Any,
                  names: tuple[str, ...]) -> dict[str, int]:
    rows = await session.execute(
        select(column, func.count()).where(ContactAnalytics.tenant_id == tenant_id,
                                           column.is_not(None)).group_by(column)
    )
    found = {name: int(n) for name, n in rows}
    return {name: found.get(name, 0) for name in names}


async def _clv(session: AsyncSession, tenant_id: uuid.UUID) -> dict[str, Any]:
    value = ContactAnalytics.clv
    scope = (ContactAnalytics.tenant_id == tenant_id, value.is_not(None))
    stats = (await session.execute(
        select(func.count(), func.sum(value), func.avg(value), func.min(value), func.max(value),
               *(func.percentile_cont(q).within_group(value) for q in QUANTILES))
        .where(*scope)
    )).one()
    count, total, mean, low, high, *quantiles = stats
    histogram: list[dict[str, Any]] = []
    if count and high > low:
        bucket = func.width_bucket(value, low, high, HISTOGRAM_BINS)
        found: dict[int, int] = dict((await session.execute(
            # The highest value makes a bucket of its own past the last: counted in the last.
            select(func.least(bucket, HISTOGRAM_BINS), func.count()).where(*scope)
            .group_by(literal_column("1"))
        )).all())
        width = (high - low) / HISTOGRAM_BINS
        histogram = [{"from": str(round(low + width * i, 2)),
                      "to": str(round(low + width * (i + 1), 2)),
                      "count": int(found.get(i + 1, 0))} for i in range(HISTOGRAM_BINS)]
    elif count:
        histogram = [{"from": str(low), "to": str(high), "count": int(count)}]
    return {
        "customers": int(count),
        "total": None if total is None else str(round(total, 2)),
        "mean": None if mean is None else str(round(mean, 2)),
        "percentiles": None if not count else {
            name: str(round(q, 2)) for name, q in zip(("p10", "p25", "p50", "p75", "p90"),
                                                      quantiles, strict=True)},
        "histogram": histogram,
    }


async def summary(session: AsyncSession, actor: Principal) -> dict[str, Any]:
    tenant_id = actor.tenant_id
    job = await last_completed(session, tenant_id)
    matrix_rows = await session.execute(
        select(ContactAnalytics.abc, ContactAnalytics.xyz, func.count())
        .where(ContactAnalytics.tenant_id == tenant_id, ContactAnalytics.abc.is_not(None),
               ContactAnalytics.xyz.is_not(None))
        .group_by(ContactAnalytics.abc, ContactAnalytics.xyz)
    )
    found = {(a, x): int(n) for a, x, n in matrix_rows}
    return {
        "job": job,
        "counts": {
            "rfm": await _counts(session, tenant_id, ContactAnalytics.rfm, CLASSES["rfm"]),
            "abc": await _counts(session, tenant_id, ContactAnalytics.abc, ABC),
            "xyz": await _counts(session, tenant_id, ContactAnalytics.xyz, XYZ),
        },
        "matrix": {a: {x: found.get((a, x), 0) for x in XYZ} for a in ABC},
        "clv": await _clv(session, tenant_id),
    }


async def changes(session: AsyncSession, actor: Principal, *, kind: str | None,
                  since: datetime | None, cursor: str | None, limit: int) -> Page[ClassChange]:
    """Who moved from which class to which, newest first."""
    check_limit(limit)
    query = select(ClassChange).where(ClassChange.tenant_id == actor.tenant_id)
    if kind is not None:
        query = query.where(ClassChange.kind == class_kind(kind))
    if since is not None:
        query = query.where(ClassChange.created_at >= since)
    rows = (await session.execute(newest_first(query, ClassChange.id, cursor, limit))).scalars()
    return cut(list(rows), limit, by_id)


__all__ = ["STEPS", "changes", "class_kind", "contact_classes", "summary"]
