"""``/staff``: which branch each member works at (a sales manager with a branch manages
that branch only)."""

from __future__ import annotations

import uuid

from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal
from rapport_plugins.dealership import staff
from rapport_plugins.dealership.schemas import StaffIn, StaffList, StaffOut


class StaffController(Controller):
    path = "/staff"

    @get("/")
    async def roster(self, principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession]) -> StaffList:
        """Members and their branches (managers; a branch manager sees their branch)."""
        return StaffList(await staff.roster(db, principal))

    @put("/{member_id:uuid}")
    async def assign(self, member_id: FromPath[uuid.UUID], data: JSONBody[StaffIn],
                     principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession]) -> StaffOut:
        """Put a member in a branch, or in none (``null``); managers of the whole
        dealership only (403 otherwise)."""
        return await staff.assign(db, principal, member_id, data.branch)
