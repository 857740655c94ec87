"""Team actions: every lookup names the acting principal's tenant; owners and admins change
teams (everyone reads them); writes are audited. Members are memberships of the tenant
that were accepted; the lead is always one of the team's members."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit
from rapport.core.pagination import Page, by_id, check_limit, cut, newest_first
from rapport.core.teams.models import Team, TeamMember
from rapport.core.teams.schemas import TeamMemberOut, TeamOut
from rapport.errors import conflict, invalid, not_found
from rapport.tenancy.models import Membership, User
from rapport.tenancy.principal import Principal

RECORD_TYPE = "team"


async def get_team(session: AsyncSession, actor: Principal, team_id: uuid.UUID) -> Team:
    found = (await session.execute(select(Team).where(
        Team.tenant_id == actor.tenant_id, Team.id == team_id))).scalar_one_or_none()
    if found is None:
        raise not_found("Team")
    return found


async def list_teams(session: AsyncSession, actor: Principal, *, cursor: str | None,
                     limit: int) -> Page[Team]:
    check_limit(limit)
    query = newest_first(select(Team).where(Team.tenant_id == actor.tenant_id), Team.id,
                         cursor, limit)
    return cut(list((await session.execute(query)).scalars()), limit, by_id)


async def all_teams(session: AsyncSession, actor: Principal) -> list[Team]:
    """Every team of the tenant by name (the console and the report's grouping)."""
    return list((await session.execute(select(Team).where(
        Team.tenant_id == actor.tenant_id).order_by(func.lower(Team.name), Team.id))).scalars())


async def members_of(session: AsyncSession, actor: Principal,
                     team_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[TeamMemberOut]]:
    """The members of each team, by name, in one statement."""
    out: dict[uuid.UUID, list[TeamMemberOut]] = {t: [] for t in team_ids}
    if not team_ids:
        return out
    rows = await session.execute(
        select(TeamMember.team_id, Membership.id, Membership.user_id, User.full_name,
               Membership.role)
        .join(Membership, (Membership.tenant_id == TeamMember.tenant_id)
              & (Membership.id == TeamMember.membership_id))
        .join(User, User.id == Membership.user_id)
        .where(TeamMember.tenant_id == actor.tenant_id, TeamMember.team_id.in_(team_ids))
        .order_by(User.full_name, Membership.id)
    )
    for team_id, member_id, user_id, name, role in rows:
        out[team_id].append(TeamMemberOut(member_id, user_id, name, role))
    return out


async def shown(session: AsyncSession, actor: Principal, teams: Sequence[Team]) -> list[TeamOut]:
    members = await members_of(session, actor, [t.id for t in teams])
    return [TeamOut(t.id, t.name, t.lead_id, members[t.id], t.created_at, t.updated_at)
            for t in teams]


async def memberships_by_team(session: AsyncSession,
                              tenant_id: uuid.UUID) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """``(team_id, membership_id)`` pairs of the tenant (the members' report per team)."""
    rows = await session.execute(select(TeamMember.team_id, TeamMember.membership_id).where(
        TeamMember.tenant_id == tenant_id))
    return [(r[0], r[1]) for r in rows]


async def _check_members(session: AsyncSession, actor: Principal, ids: Iterable[uuid.UUID],
                         field: str) -> None:
    """422 naming ``field`` (and the id) unless every id is an accepted member."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return
    found = set((await session.execute(select(Membership.id).where(
        Membership.tenant_id == actor.tenant_id, Membership.id.in_(wanted),
        Membership.accepted_at.is_not(None)))).scalars())
    for i, member_id in enumerate(wanted):
        if member_id not in found:
            where = field if field in ("lead_id", "member_id") else f"{field}[{i}]"
            raise invalid(where, f"{member_id} is not a member of the organization")


def _audited(team: Team, members: Sequence[uuid.UUID]) -> dict[str, Any]:
    return {"name": team.name, "lead_id": team.lead_id,
            "member_ids": sorted(str(m) for m in members)}


async def _member_ids(session: AsyncSession, team: Team) -> list[uuid.UUID]:
    return list((await session.execute(select(TeamMember.membership_id).where(
        TeamMember.tenant_id == team.tenant_id, TeamMember.team_id == team.id))).scalars())


async def _set_members(session: AsyncSession, team: Team, ids: Iterable[uuid.UUID]) -> None:
    await session.execute(delete(TeamMember).where(
        TeamMember.tenant_id == team.tenant_id, TeamMember.team_id == team.id))
    for member_id in dict.fromkeys(ids):
        session.add(TeamMember(tenant_id=team.tenant_id, team_id=team.id,
                               membership_id=member_id))


async def _flush_named(session: AsyncSession, name: str) -> None:
    """Flush; a name another team has is a 409 (the unique index decides, so two
    concurrent creations cannot both win)."""
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        if "ix_teams_tenant_id_name" in str(exc.orig):
            raise conflict(f"A team named {name!r} exists", field="name") from None
        raise


async def create_team(session: AsyncSession, actor: Principal, name: str,
                      lead_id: uuid.UUID | None, member_ids: Sequence[uuid.UUID]) -> Team:
    actor.require_manager()
    name = name.strip()
    await _check_members(session, actor, member_ids, "member_ids")
    if lead_id is not None:
        await _check_members(session, actor, [lead_id], "lead_id")
    team = Team(tenant_id=actor.tenant_id, name=name, lead_id=lead_id)
    session.add(team)
    await _flush_named(session, name)
    members = [*member_ids, *([lead_id] if lead_id else [])]
    await _set_members(session, team, members)
    await session.flush()
    await audit.record(session, actor, audit.CREATE, RECORD_TYPE, team.id,
                       audit.diff({}, _audited(team, list(dict.fromkeys(members)))))
    return team


async def update_team(session: AsyncSession, actor: Principal, team_id: uuid.UUID,
                      changes: dict[str, Any]) -> Team:
    actor.require_manager()
    team = await get_team(session, actor, team_id)
    members = await _member_ids(session, team)
    before = _audited(team, members)
    if "member_ids" in changes:
        await _check_members(session, actor, changes["member_ids"], "member_ids")
        members = list(changes["member_ids"])
    if changes.get("lead_id") is not None:
        await _check_members(session, actor, [changes["lead_id"]], "lead_id")
    lead = changes.get("lead_id", team.lead_id)
    if lead is not None and lead not in members:
        members.append(lead)
    if "member_ids" in changes or lead != team.lead_id:
        await _set_members(session, team, members)
    # The name last: the statements above would flush it early, outside the refusal below.
    team.lead_id = lead
    if "name" in changes:
        team.name = changes["name"].strip()
    team.updated_at = func.now()
    await _flush_named(session, team.name)
    await session.refresh(team)
    await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, team.id,
                       audit.diff(before, _audited(team, list(dict.fromkeys(members)))))
    return team


async def delete_team(session: AsyncSession, actor: Principal, team_id: uuid.UUID) -> None:
    actor.require_manager()
    team = await get_team(session, actor, team_id)
    before = _audited(team, await _member_ids(session, team))
    await session.delete(team)
    await session.flush()
    await audit.record(session, actor, audit.DELETE, RECORD_TYPE, team_id,
                       audit.diff(before, {}))


async def add_member(session: AsyncSession, actor: Principal, team_id: uuid.UUID,
                     member_id: uuid.UUID) -> Team:
    """Idempotent: a member already in the team stays once."""
    actor.require_manager()
    team = await get_team(session, actor, team_id)
    await _check_members(session, actor, [member_id], "member_id")
    members = await _member_ids(session, team)
    if member_id not in members:
        session.add(TeamMember(tenant_id=team.tenant_id, team_id=team.id,
                               membership_id=member_id))
        await session.flush()
        await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, team.id,
                           audit.diff(_audited(team, members),
                                      _audited(team, [*members, member_id])))
    return team


async def remove_member(session: AsyncSession, actor: Principal, team_id: uuid.UUID,
                        member_id: uuid.UUID) -> None:
    """404 when the member is not in the team; removing the lead leaves the team without
    one."""
    actor.require_manager()
    team = await get_team(session, actor, team_id)
    members = await _member_ids(session, team)
    if member_id not in members:
        raise not_found("Team member")
    before = _audited(team, members)
    await session.execute(delete(TeamMember).where(
        TeamMember.tenant_id == team.tenant_id, TeamMember.team_id == team.id,
        TeamMember.membership_id == member_id))
    if team.lead_id == member_id:
        team.lead_id = None
    await session.flush()
    await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, team.id,
                       audit.diff(before, _audited(team, [m for m in members
                                                          if m != member_id])))
