"""``/incentives``: quotas with their standing, contests and their leaderboard."""

from __future__ import annotations

import uuid
from datetime import date

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks
from rapport_plugins.dealership import incentives
from rapport_plugins.dealership.models import Contest
from rapport_plugins.dealership.schemas import (
    ContestIn,
    ContestList,
    ContestOut,
    Leaderboard,
    QuotaIn,
    QuotaList,
    QuotaOut,
)


def contest_out(c: Contest) -> ContestOut:
    return ContestOut(c.id, c.name, c.starts_on, c.ends_on, c.measure, list(c.prizes),
                      c.created_at, c.branch)


class IncentiveController(Controller):
    path = "/incentives"

    @post("/quotas", status_code=201)
    async def add_quota(self, data: JSONBody[QuotaIn], principal: NamedDependency[Principal],
                        db: NamedDependency[AsyncSession],
                        hooks: NamedDependency[TenantHooks]) -> QuotaOut:
        """Units a salesperson should deliver in a period, and the bonus per unit above."""
        quota = await incentives.add_quota(db, principal, hooks, data)
        return await incentives.quota_standing(db, quota)

    @get("/quotas")
    async def quotas(self, principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession],
                     on: FromQuery[date | None] = None) -> QuotaList:
        """Quotas with units sold so far and the bonus earned (a salesperson: their own)."""
        return QuotaList(await incentives.quotas(db, principal, on))

    @post("/contests", status_code=201)
    async def add_contest(self, data: JSONBody[ContestIn],
                          principal: NamedDependency[Principal],
                          db: NamedDependency[AsyncSession],
                          hooks: NamedDependency[TenantHooks]) -> ContestOut:
        return contest_out(await incentives.add_contest(db, principal, hooks, data))

    @get("/contests")
    async def contests(self, principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession]) -> ContestList:
        return ContestList([contest_out(c) for c in await incentives.contests(db, principal)])

    @get("/contests/{contest_id:uuid}")
    async def contest(self, contest_id: FromPath[uuid.UUID],
                      principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> ContestOut:
        return contest_out(await incentives.contest_of(db, principal, contest_id))

    @post("/contests/{contest_id:uuid}/end", status_code=200)
    async def end_contest(self, contest_id: FromPath[uuid.UUID],
                          principal: NamedDependency[Principal],
                          db: NamedDependency[AsyncSession],
                          hooks: NamedDependency[TenantHooks]) -> ContestOut:
        """End a running contest today (managers); 409 when it is over or not started."""
        return contest_out(await incentives.end_contest(db, principal, hooks, contest_id))

    @get("/contests/{contest_id:uuid}/leaderboard")
    async def leaderboard(self, contest_id: FromPath[uuid.UUID],
                          principal: NamedDependency[Principal],
                          db: NamedDependency[AsyncSession]) -> Leaderboard:
        """Standings by the contest's measure, with every reassignment, split and unwind of
        the orders that count in it."""
        contest = await incentives.contest_of(db, principal, contest_id)
        standings, changes = await incentives.leaderboard(db, contest)
        return Leaderboard(contest_out(contest), standings, changes)
