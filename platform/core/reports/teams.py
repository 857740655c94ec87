"""The members' report per team (``group=team``): each team's members' rows summed — a
member in several teams counts in each, and the members in no team make one row of their
own. Read from the rows the caller may see (a member who is not a manager sees their own
row only, so their teams' rows hold only their own figures): one statement for the teams'
members, nothing per team."""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.imports.formulas import neutralise
from rapport.core.reports.schemas import (
    Conversion,
    MemberResults,
    MembersReport,
    Revenue,
    TeamResults,
)
from rapport.core.teams.service import all_teams, memberships_by_team
from rapport.core.transactions import money
from rapport.tenancy.principal import Principal


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _summed(team_id: uuid.UUID | None, name: str | None, lead: uuid.UUID | None,
            rows: list[MemberResults]) -> TeamResults:
    kinds: dict[str, int] = defaultdict(int)
    channels: dict[str, int] = defaultdict(int)
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    measures: dict[str, float] = defaultdict(float)
    for m in rows:
        for k, n in m.by_kind.items():
            kinds[k] += n
        for c, n in m.by_channel.items():
            channels[c] += n
        for r in m.revenue_won:
            revenue[r.currency] += Decimal(r.amount)
        for key, value in m.measures.items():
            measures[key] += value
    acts = sum(m.interactions for m in rows)
    opened = sum(m.deals_opened for m in rows)
    won = sum(m.deals_won for m in rows)
    lost = sum(m.deals_lost for m in rows)
    return TeamResults(
        team_id=team_id, team_name=name, lead_id=lead,
        member_ids=[m.member_id for m in rows], interactions=acts,
        by_kind=dict(sorted(kinds.items())), by_channel=dict(sorted(channels.items())),
        deals_opened=opened, deals_won=won, deals_lost=lost,
        revenue_won=[Revenue(c, money.as_text(a, c)) for c, a in sorted(revenue.items())],
        tasks_done=sum(m.tasks_done for m in rows),
        tasks_overdue=sum(m.tasks_overdue for m in rows),
        conversion=Conversion(_ratio(opened, acts), _ratio(won, opened),
                              _ratio(won, won + lost)),
        measures=dict(sorted(measures.items())),
        members_without_results=sum(m.activity_without_results for m in rows),
    )


async def by_team(session: AsyncSession, actor: Principal, report: MembersReport) -> None:
    """Fill ``report.teams`` (every team of the tenant, by name; then "no team")."""
    teams = await all_teams(session, actor)
    pairs = await memberships_by_team(session, actor.tenant_id)
    rows = {m.member_id: m for m in report.members}
    placed: set[uuid.UUID] = set()
    members: dict[uuid.UUID, list[MemberResults]] = defaultdict(list)
    for team_id, member_id in pairs:
        if (row := rows.get(member_id)) is not None:
            members[team_id].append(row)
            placed.add(member_id)
    out = [_summed(t.id, t.name, t.lead_id, members[t.id]) for t in teams]
    alone = [m for m in report.members if m.member_id not in placed]
    if alone:
        out.append(_summed(None, None, None, alone))
    report.group = "team"
    report.teams = out


TEAM_COLUMNS = (
    "team_id", "team_name", "members", "interactions", "deals_opened", "deals_won",
    "deals_lost", "revenue_won", "tasks_done", "tasks_overdue", "interactions_to_deals",
    "deals_to_won", "win_rate", "members_without_results",
)


def csv_rows(report: MembersReport) -> list[list[str]]:
    """The teams as CSV rows: the header, then one line per team ("no team" has an empty
    id and name); kinds, channels and plugin measures as their own columns."""
    teams = report.teams or []
    kinds = sorted({k for t in teams for k in t.by_kind})
    channels = sorted({c for t in teams for c in t.by_channel})
    names = [m.name for m in report.measures]
    lines = [[*TEAM_COLUMNS, *(f"kind:{k}" for k in kinds),
              *(f"channel:{c or '-'}" for c in channels), *names]]
    for t in teams:
        c = t.conversion
        lines.append([
            "" if t.team_id is None else str(t.team_id), neutralise(t.team_name or ""),
            str(len(t.member_ids)), str(t.interactions), str(t.deals_opened),
            str(t.deals_won), str(t.deals_lost),
            "; ".join(f"{r.currency} {r.amount}" for r in t.revenue_won),
            str(t.tasks_done), str(t.tasks_overdue),
            *("" if v is None else str(v) for v in (c.interactions_to_deals, c.deals_to_won,
                                                    c.win_rate)),
            str(t.members_without_results),
            *(str(t.by_kind.get(k, 0)) for k in kinds),
            *(str(t.by_channel.get(ch, 0)) for ch in channels),
            *(f"{t.measures.get(n, 0.0):g}" for n in names),
        ])
    return lines
