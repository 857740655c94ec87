"""Which branch each member works at (``dealership_staff``). Only a manager of the whole
dealership assigns branches; a sales manager with a branch then manages that branch alone
(``scope``), and a salesperson's new orders and promises default to their branch."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Membership, Principal, User, audit, new_id, not_found
from rapport_plugins.dealership.models import Staff
from rapport_plugins.dealership.roles import require_manager
from rapport_plugins.dealership.schemas import StaffOut
from rapport_plugins.dealership.scope import (
    branch_of,
    forget,
    require_unscoped_manager,
    scope_of,
)

RECORD = "dealership.staff"


def _columns() -> tuple[object, ...]:
    return (Membership.id, User.full_name, User.email, Membership.role, Staff.branch)


async def roster(db: AsyncSession, principal: Principal) -> list[StaffOut]:
    """Every member with their branch (a branch manager: their branch's people)."""
    require_manager(principal)
    scope = await scope_of(db, principal)
    query = (select(*_columns())  # type: ignore[call-overload]
             .join(User, User.id == Membership.user_id)
             .outerjoin(Staff, (Staff.tenant_id == Membership.tenant_id)
                        & (Staff.member_id == Membership.id))
             .where(Membership.tenant_id == principal.tenant_id)
             .order_by(User.full_name, Membership.id).limit(1000))
    if scope.branch is not None:
        query = query.where(Staff.branch == scope.branch)
    return [StaffOut(m, name or email, role, branch)
            for m, name, email, role, branch in await db.execute(query)]


async def assign(db: AsyncSession, principal: Principal, member_id: uuid.UUID,
                 branch: str | None) -> StaffOut:
    """Put a member in a branch (``None``: in none)."""
    await require_unscoped_manager(db, principal)
    found = (await db.execute(
        select(*_columns())  # type: ignore[call-overload]
        .join(User, User.id == Membership.user_id)
        .outerjoin(Staff, (Staff.tenant_id == Membership.tenant_id)
                   & (Staff.member_id == Membership.id))
        .where(Membership.tenant_id == principal.tenant_id, Membership.id == member_id)
    )).one_or_none()
    if found is None:
        raise not_found("Member")
    before = await branch_of(db, principal.tenant_id, member_id)
    if branch is None:
        await db.execute(delete(Staff).where(Staff.tenant_id == principal.tenant_id,
                                             Staff.member_id == member_id))
    else:
        await db.execute(insert(Staff).values(
            tenant_id=principal.tenant_id, id=new_id(), member_id=member_id, branch=branch,
        ).on_conflict_do_update(constraint="uq_dealership_staff_member",
                                set_={"branch": branch}))
    forget(db)
    if before != branch:
        await audit.record(db, principal, audit.UPDATE, RECORD, member_id,
                           changes={"branch": [before, branch]})
    _, name, email, role, _ = found
    return StaffOut(member_id, name or email, role, branch)
