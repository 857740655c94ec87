"""Activity per employee over a period: interactions by kind, distinct contacts touched,
and the purchases that followed within 30 days — where activity turns into results.

Two queries: the activity itself (one pass over the ``(tenant_id, occurred_at)`` index,
grouping sets for per-kind and per-member totals, every current member included even
without activity), and — only when the ``transactions`` table exists in the catalogue —
the purchases that followed each member's interactions.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.interactions.service import check_time
from rapport.core.reports.schemas import ActivityReport, MemberActivity
from rapport.errors import invalid
from rapport.tenancy.principal import Principal

DEFAULT_PERIOD = timedelta(days=30)
FOLLOW_UP = timedelta(days=30)

ACTIVITY_SQL = text(
    """
    WITH acts AS (
        SELECT member_id, kind, count(*) AS n, count(DISTINCT contact_id) AS contacts,
               GROUPING(kind) = 1 AS member_total
        FROM interactions
        WHERE tenant_id = :tenant AND occurred_at >= :since AND occurred_at < :until
        GROUP BY GROUPING SETS ((member_id, kind), (member_id))
    ), people AS (
        SELECT member_id FROM acts
        UNION
        SELECT user_id FROM memberships WHERE tenant_id = :tenant
    )
    SELECT p.member_id, u.full_name, m.user_id IS NOT NULL AS current_member,
           a.kind, a.n, a.contacts, a.member_total
    FROM people p
    LEFT JOIN acts a ON a.member_id = p.member_id
    LEFT JOIN users u ON u.id = p.member_id
    LEFT JOIN memberships m ON m.tenant_id = :tenant AND m.user_id = p.member_id
    """
)

# The transactions table belongs to another area; the report reads it only when present.
TRANSACTIONS_PRESENT_SQL = text(
    """
    SELECT count(*) = 3 FROM pg_attribute
    WHERE attrelid = to_regclass('transactions') AND NOT attisdropped
      AND attname IN ('tenant_id', 'contact_id', 'occurred_at')
    """
)

PURCHASES_SQL = text(
    """
    SELECT i.member_id, count(DISTINCT t.id) AS purchases,
           count(DISTINCT t.contact_id) AS converted
    FROM interactions i
    JOIN transactions t
      ON t.tenant_id = :tenant AND t.contact_id = i.contact_id
     AND t.occurred_at >= i.occurred_at AND t.occurred_at < i.occurred_at + :follow_up
    WHERE i.tenant_id = :tenant AND i.occurred_at >= :since AND i.occurred_at < :until
    GROUP BY i.member_id
    """
)


@dataclass
class _Member:
    name: str | None
    current: bool
    interactions: int = 0
    contacts: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def _period(since: datetime | None, until: datetime | None) -> tuple[datetime, datetime]:
    check_time("since", since)
    check_time("until", until)
    end = until or datetime.now(UTC)
    start = since or end - DEFAULT_PERIOD
    if start >= end:
        raise invalid("until", "must be after since")
    return start, end


def _members(rows: list[Any]) -> dict[uuid.UUID, _Member]:
    members: dict[uuid.UUID, _Member] = {}
    for row in rows:
        member = members.setdefault(row.member_id, _Member(row.full_name, row.current_member))
        if row.kind is None and row.member_total:
            member.interactions, member.contacts = row.n, row.contacts
        elif row.kind is not None:
            member.by_kind[row.kind] = row.n
    return members


async def activity_report(
    session: AsyncSession,
    actor: Principal,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> ActivityReport:
    """Owners and admins only: it compares colleagues with each other."""
    actor.require_manager()
    start, end = _period(since, until)
    window = {"tenant": actor.tenant_id, "since": start, "until": end}
    members = _members(list(await session.execute(ACTIVITY_SQL, window)))
    tracked = bool(await session.scalar(TRANSACTIONS_PRESENT_SQL))
    purchases: dict[uuid.UUID, tuple[int, int]] = {}
    if tracked:
        rows = await session.execute(PURCHASES_SQL, {**window, "follow_up": FOLLOW_UP})
        purchases = {r.member_id: (r.purchases, r.converted) for r in rows}
    out = [
        MemberActivity(
            member_id=member_id,
            member_name=m.name,
            current_member=m.current,
            interactions=m.interactions,
            by_kind=dict(sorted(m.by_kind.items())),
            contacts_touched=m.contacts,
            purchases_followed=purchases.get(member_id, (0, 0))[0] if tracked else None,
            contacts_converted=purchases.get(member_id, (0, 0))[1] if tracked else None,
        )
        for member_id, m in members.items()
    ]
    out.sort(key=lambda a: (-a.interactions, a.member_name or "", str(a.member_id)))
    return ActivityReport(start, end, tracked, out)
