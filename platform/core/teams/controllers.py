"""HTTP doors of teams: CRUD and members. Everyone in the organization reads teams; owners
and admins change them."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.core.teams import service
from rapport.core.teams.schemas import TeamIn, TeamList, TeamMemberIn, TeamOut, TeamPatch
from rapport.tenancy.principal import Principal


async def _one(db: AsyncSession, principal: Principal, team_id: uuid.UUID) -> TeamOut:
    return (await service.shown(db, principal, [await service.get_team(db, principal,
                                                                        team_id)]))[0]


class TeamController(Controller):
    path = "/api/v1/teams"
    tags = ["teams"]

    @get("/")
    async def list_teams(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> TeamList:
        """Newest first, each with its members; pass ``next_cursor`` back as ``cursor``."""
        page = await service.list_teams(db, principal, cursor=cursor, limit=limit)
        return TeamList(await service.shown(db, principal, page.items), page.next_cursor)

    @post("/", status_code=201)
    async def create_team(
        self, data: JSONBody[TeamIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> TeamOut:
        """Owners and admins. A name another team has is a 409; a lead or member who is not
        an accepted member of the organization is a 422 naming it."""
        team = await service.create_team(db, principal, data.name, data.lead_id,
                                         data.member_ids)
        return await _one(db, principal, team.id)

    @get("/{team_id:uuid}")
    async def get_team(
        self, team_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> TeamOut:
        return await _one(db, principal, team_id)

    @patch("/{team_id:uuid}")
    async def update_team(
        self, team_id: FromPath[uuid.UUID], data: JSONBody[TeamPatch],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    ) -> TeamOut:
        """Change only what is sent; ``member_ids`` replaces the members (the lead stays
        one), ``lead_id: null`` leaves the team without a lead."""
        await service.update_team(db, principal, team_id, data.changes())
        return await _one(db, principal, team_id)

    @delete("/{team_id:uuid}", status_code=204)
    async def delete_team(
        self, team_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """The team and its member list (the members themselves stay)."""
        await service.delete_team(db, principal, team_id)

    @post("/{team_id:uuid}/members", status_code=200)
    async def add_team_member(
        self, team_id: FromPath[uuid.UUID], data: JSONBody[TeamMemberIn],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    ) -> TeamOut:
        """Add a member (a member already in the team stays once)."""
        await service.add_member(db, principal, team_id, data.member_id)
        return await _one(db, principal, team_id)

    @delete("/{team_id:uuid}/members/{member_id:uuid}", status_code=204)
    async def remove_team_member(
        self, team_id: FromPath[uuid.UUID], member_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    ) -> None:
        """Take a member out of the team (404 when not in it); the lead leaves the lead."""
        await service.remove_member(db, principal, team_id, member_id)
