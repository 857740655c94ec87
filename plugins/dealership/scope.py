"""What a member may see of orders, promises, traffic and numbers: a salesperson their own,
a sales manager with a branch (``dealership_staff``) that branch's, other managers and
viewers everything. Every read of these records goes through :func:`scope_of` — the
service layer, not the routes, so the API, the console and the CLI agree."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, forbidden, invalid
from rapport_plugins.dealership.models import Staff
from rapport_plugins.dealership.roles import SALES_MANAGER, is_manager, mine_only

_CACHE = "dealership.scope"


@dataclass(frozen=True)
class Scope:
    member: uuid.UUID | None = None  # a salesperson: only rows they own
    branch: str | None = None  # a branch manager: only rows of this branch

    def where(self, owner: Any, branch: Any) -> Any:
        """The condition limiting rows (``owner``/``branch`` are the table's columns)."""
        if self.member is not None:
            return owner == self.member
        if self.branch is not None:
            return branch == self.branch
        return true()

    def check_branch(self, branch: str | None, field: str = "branch") -> str | None:
        """A branch manager records only in their branch: the branch given, defaulted to
        theirs; another answers 403 naming the field."""
        if self.branch is None:
            return branch
        if branch not in (None, self.branch):
            raise forbidden(f"{field}: a manager of {self.branch} works only in that branch")
        return self.branch

    async def check_seller(self, db: AsyncSession, tenant_id: uuid.UUID,
                           member_id: uuid.UUID, field: str = "salesperson_id") -> None:
        """A branch manager gives orders, appointments, visits, promises and credit only to
        their branch's people: a member of another branch (or of none) answers 422 naming
        the field."""
        if self.branch is None:
            return
        if await branch_of(db, tenant_id, member_id) != self.branch:
            raise invalid(field, f"not one of {self.branch}'s people: a manager of "
                                 f"{self.branch} assigns only that branch's staff")


async def branch_of(db: AsyncSession, tenant_id: uuid.UUID,
                    member_id: uuid.UUID) -> str | None:
    return await db.scalar(select(Staff.branch).where(
        Staff.tenant_id == tenant_id, Staff.member_id == member_id))


async def scope_of(db: AsyncSession, principal: Principal) -> Scope:
    """The principal's scope; a sales manager's branch is read once per transaction."""
    if (member := mine_only(principal)) is not None:
        return Scope(member=member)
    if principal.role != SALES_MANAGER:
        return Scope()
    cache: dict[uuid.UUID, Scope] = db.info.setdefault(_CACHE, {})
    if principal.membership_id not in cache:
        branch = await branch_of(db, principal.tenant_id, principal.membership_id)
        cache[principal.membership_id] = Scope(branch=branch)
    return cache[principal.membership_id]


def forget(db: AsyncSession) -> None:
    """After a branch assignment changes in this transaction."""
    db.info.pop(_CACHE, None)


async def require_unscoped_manager(db: AsyncSession, principal: Principal) -> None:
    """Assigning branches is for managers of the whole dealership."""
    if not is_manager(principal) or (await scope_of(db, principal)).branch is not None:
        raise forbidden("Only a manager of the whole dealership can assign branches")
