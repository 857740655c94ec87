"""The members' report: each member's activity against results over a period — interactions
by kind and channel, deals opened, won and lost, revenue won per currency, tasks done and
overdue, the conversion at each step, and the measures plugins contribute
(``rapport_member_measures``) — so a manager sees where activity does not turn into results.

Set-based: one statement for the people and their interactions (grouping sets), one for
deals, one for tasks, and one ``UNION ALL`` for every enabled plugin measure; never a
query per member. Per team (``group=team``): ``rapport.core.reports.teams`` sums these rows.
"""

from __future__ import annotations

import re
import statistics
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import literal, select, text, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.imports.formulas import neutralise
from rapport.core.reports.schemas import (
    Conversion,
    MeasureInfo,
    MemberResults,
    MembersReport,
    Revenue,
)
from rapport.core.transactions import money
from rapport.errors import invalid
from rapport.hooks import MeasureQuery, MemberMeasure, PluginRegistry
from rapport.tenancy.principal import Principal

DEFAULT_DAYS = 30
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
LONGEST = timedelta(days=366 * 3)
# activity_without_results: interactions at or above the median of active members, and
# won deals per interaction below this share of the tenant's own ratio.
LAGGING_SHARE = Decimal("0.5")

PEOPLE_SQL = text(
    """
    WITH people AS (
        SELECT ms.id AS member_id, ms.user_id, ms.role, u.full_name
        FROM memberships ms JOIN users u ON u.id = ms.user_id
        WHERE ms.tenant_id = :tenant AND ms.accepted_at IS NOT NULL
          AND (CAST(:only AS uuid) IS NULL OR ms.id = CAST(:only AS uuid))
    ), acts AS (
        SELECT i.member_id AS user_id, i.kind, coalesce(i.channel, '') AS channel,
               count(*) AS n, count(DISTINCT i.contact_id) AS contacts,
               GROUPING(i.kind, coalesce(i.channel, '')) AS g
        FROM interactions i
        WHERE i.tenant_id = :tenant AND i.occurred_at >= :since AND i.occurred_at < :until
          AND i.member_id IN (SELECT user_id FROM people)
        GROUP BY GROUPING SETS ((i.member_id, i.kind), (i.member_id, coalesce(i.channel, '')),
                                (i.member_id))
    )
    SELECT p.member_id, p.user_id, p.role, p.full_name, a.kind, a.channel, a.n, a.contacts, a.g
    FROM people p LEFT JOIN acts a ON a.user_id = p.user_id
    """
)

# Opened: created in the period. Won / lost: in that closing stage now, and moved into it
# within the period (a deal reopened and won again counts once).
DEALS_SQL = text(
    """
    SELECT d.owner_id AS member_id, 'opened' AS what, NULL AS currency,
           count(*) AS n, NULL::numeric AS amount
    FROM deals d
    WHERE d.tenant_id = :tenant AND d.deleted_at IS NULL AND d.owner_id IS NOT NULL
      AND d.created_at >= :since AND d.created_at < :until
      AND (CAST(:only AS uuid) IS NULL OR d.owner_id = CAST(:only AS uuid))
    GROUP BY d.owner_id
    UNION ALL
    SELECT d.owner_id, d.stage, d.currency, count(*), sum(d.amount)
    FROM deals d
    WHERE d.tenant_id = :tenant AND d.deleted_at IS NULL AND d.owner_id IS NOT NULL
      AND d.stage IN ('won', 'lost')
      AND (CAST(:only AS uuid) IS NULL OR d.owner_id = CAST(:only AS uuid))
      AND EXISTS (
          SELECT 1 FROM workflow_instances wi
          JOIN workflow_transitions t ON t.tenant_id = wi.tenant_id AND t.instance_id = wi.id
          WHERE wi.tenant_id = :tenant AND wi.record_type = 'deal' AND wi.record_id = d.id
            AND t.to_state = d.stage AND t.created_at >= :since AND t.created_at < :until)
    GROUP BY d.owner_id, d.stage, d.currency
    """
)

# Done: completed in the period. Overdue: due in the period (and already past), and not
# done by the time it was due.
TASKS_SQL = text(
    """
    SELECT assignee_id AS member_id,
           count(*) FILTER (WHERE done_at >= :since AND done_at < :until) AS done,
           count(*) FILTER (WHERE due_at >= :since AND due_at < :until AND due_at < now()
                            AND (done_at IS NULL OR done_at > due_at)) AS overdue
    FROM tasks
    WHERE tenant_id = :tenant AND assignee_id IS NOT NULL
      AND (CAST(:only AS uuid) IS NULL OR assignee_id = CAST(:only AS uuid))
      AND ((done_at >= :since AND done_at < :until) OR (due_at >= :since AND due_at < :until))
    GROUP BY assignee_id
    """
)


@dataclass
class _Row:
    user_id: uuid.UUID
    name: str | None
    role: str
    interactions: int = 0
    contacts: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_channel: dict[str, int] = field(default_factory=dict)
    opened: int = 0
    won: int = 0
    lost: int = 0
    revenue: dict[str, Decimal] = field(default_factory=dict)
    done: int = 0
    overdue: int = 0
    measures: dict[str, float] = field(default_factory=dict)


def _day(name: str, value: str | None) -> date | None:
    if value is None or value == "":
        return None
    try:
        if not DAY.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)  # ValueError for a day that does not exist
    except ValueError:
        raise invalid(name, f"{value!r} is not a date (YYYY-MM-DD)") from None


def period(since: str | None, until: str | None) -> tuple[date, date]:
    """The report's days, both inclusive; 422 naming ``from`` or ``to``."""
    end = _day("to", until) or datetime.now(UTC).date()
    start = _day("from", since) or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise invalid("from", "must be on or before to")
    if end - start > LONGEST:
        raise invalid("to", "the period is at most three years")
    return start, end


def measures_for(registry: PluginRegistry, actor: Principal) -> list[MemberMeasure]:
    declared = registry.declared("rapport_member_measures", actor.modules)
    return sorted((m for _, m in declared), key=lambda m: m.name)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


async def members_report(
    session: AsyncSession,
    actor: Principal,
    measures: list[MemberMeasure],
    *,
    since: str | None = None,
    until: str | None = None,
) -> MembersReport:
    """Owners and admins see every member; anyone else sees only their own row (their own
    work, nothing about colleagues)."""
    first, last = period(since, until)
    window = {
        "tenant": actor.tenant_id,
        "since": datetime.combine(first, time(), UTC),
        "until": datetime.combine(last + timedelta(days=1), time(), UTC),
        "only": None if actor.can_manage else actor.membership_id,
    }
    rows: dict[uuid.UUID, _Row] = {}
    for r in await session.execute(PEOPLE_SQL, window):
        row = rows.setdefault(r.member_id, _Row(r.user_id, r.full_name, r.role))
        if r.g == 3:
            row.interactions, row.contacts = r.n, r.contacts
        elif r.g == 1:
            row.by_kind[r.kind] = r.n
        elif r.g == 2:
            row.by_channel[r.channel] = r.n
    for r in await session.execute(DEALS_SQL, window):
        if (owner := rows.get(r.member_id)) is None:
            continue
        if r.what == "opened":
            owner.opened = r.n
        elif r.what == "lost":
            owner.lost += r.n
        else:
            owner.won += r.n
            if r.currency is not None and r.amount is not None:
                owner.revenue[r.currency] = owner.revenue.get(r.currency, Decimal(0)) + r.amount
    for r in await session.execute(TASKS_SQL, window):
        if (assignee := rows.get(r.member_id)) is not None:
            assignee.done, assignee.overdue = r.done, r.overdue
    await _measures(session, measures, window, rows)
    return _shape(first, last, actor, measures, rows)


async def _measures(
    session: AsyncSession,
    measures: list[MemberMeasure],
    window: dict[str, Any],
    rows: dict[uuid.UUID, _Row],
) -> None:
    if not measures:
        return
    query = MeasureQuery(window["tenant"], window["since"], window["until"])
    parts = []
    for m in measures:
        sub = m.build(query).subquery()
        parts.append(select(literal(m.name).label("measure"), sub.c.member_id, sub.c.value))
    for r in await session.execute(union_all(*parts)):
        if (measured := rows.get(r.member_id)) is not None and r.value is not None:
            measured.measures[r.measure] = float(r.value)
    for row in rows.values():
        for m in measures:
            row.measures.setdefault(m.name, 0.0)


def _shape(
    first: date,
    last: date,
    actor: Principal,
    measures: list[MemberMeasure],
    rows: dict[uuid.UUID, _Row],
) -> MembersReport:
    active = [r.interactions for r in rows.values() if r.interactions]
    median = float(statistics.median(active)) if active else 0.0
    total_acts = sum(active)
    total_won = sum(r.won for r in rows.values())
    tenant_ratio = Decimal(total_won) / total_acts if total_acts else None
    out = []
    for member_id, r in rows.items():
        lagging = bool(
            tenant_ratio
            and r.interactions
            and r.interactions >= median
            and Decimal(r.won) / r.interactions < tenant_ratio * LAGGING_SHARE
        )
        out.append(MemberResults(
            member_id=member_id,
            user_id=r.user_id,
            member_name=r.name,
            role=r.role,
            interactions=r.interactions,
            by_kind=dict(sorted(r.by_kind.items())),
            by_channel=dict(sorted(r.by_channel.items())),
            contacts_touched=r.contacts,
            deals_opened=r.opened,
            deals_won=r.won,
            deals_lost=r.lost,
            revenue_won=[Revenue(c, money.as_text(a, c)) for c, a in sorted(r.revenue.items())],
            tasks_done=r.done,
            tasks_overdue=r.overdue,
            conversion=Conversion(
                interactions_to_deals=_ratio(r.opened, r.interactions),
                deals_to_won=_ratio(r.won, r.opened),
                win_rate=_ratio(r.won, r.won + r.lost),
            ),
            measures=dict(sorted(r.measures.items())),
            activity_without_results=lagging,
        ))
    out.sort(key=lambda m: (-m.interactions, m.member_name or "", str(m.member_id)))
    return MembersReport(
        since=first.isoformat(),
        until=last.isoformat(),
        scope="all" if actor.can_manage else "own",
        median_interactions=median,
        tenant_won_per_interaction=round(float(tenant_ratio), 4) if tenant_ratio is not None
        else None,
        measures=[MeasureInfo(m.name, dict(m.labels), m.higher_is_better) for m in measures],
        members=out,
    )


CSV_COLUMNS = (
    "member_id", "member_name", "role", "interactions", "contacts_touched", "deals_opened",
    "deals_won", "deals_lost", "revenue_won", "tasks_done", "tasks_overdue",
    "interactions_to_deals", "deals_to_won", "win_rate", "activity_without_results",
)


def csv_rows(report: MembersReport) -> list[list[str]]:
    """The report as CSV rows: the header, then one line per member; kinds, channels and
    plugin measures as their own columns (``kind:call``, ``channel:phone``, the measure's
    name), revenue as ``EUR 1200.00; UAH 300.00``."""
    kinds = sorted({k for m in report.members for k in m.by_kind})
    channels = sorted({c for m in report.members for c in m.by_channel})
    names = [m.name for m in report.measures]
    header = [*CSV_COLUMNS, *(f"kind:{k}" for k in kinds),
              *(f"channel:{c or '-'}" for c in channels), *names]
    lines = [header]
    for m in report.members:
        c = m.conversion
        lines.append([
            str(m.member_id), neutralise(m.member_name or ""), m.role, str(m.interactions),
            str(m.contacts_touched), str(m.deals_opened), str(m.deals_won), str(m.deals_lost),
            "; ".join(f"{r.currency} {r.amount}" for r in m.revenue_won),
            str(m.tasks_done), str(m.tasks_overdue),
            *("" if v is None else str(v) for v in (c.interactions_to_deals, c.deals_to_won,
                                                    c.win_rate)),
            "yes" if m.activity_without_results else "no",
            *(str(m.by_kind.get(k, 0)) for k in kinds),
            *(str(m.by_channel.get(ch, 0)) for ch in channels),
            *(f"{m.measures.get(n, 0.0):g}" for n in names),
        ])
    return lines
