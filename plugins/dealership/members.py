"""Members as the dealership sees them: salespeople on orders and promises, the managers
to alert, names for boards and leaderboards (the kernel's read-only directory)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Membership, User, invalid
from rapport_plugins.dealership.models import Staff

ALERTED_MANAGERS = ("sales_manager",)


async def require_members(db: AsyncSession, tenant_id: uuid.UUID,
                          ids: Iterable[uuid.UUID], field: str) -> None:
    """422 naming ``field`` unless every id is a member of this tenant."""
    wanted = set(ids)
    if not wanted:
        return
    found = set((await db.execute(select(Membership.id).where(
        Membership.tenant_id == tenant_id, Membership.id.in_(wanted)))).scalars())
    if missing := wanted - found:
        raise invalid(field, f"not a member of this dealership: {sorted(map(str, missing))[0]}")


async def managers(db: AsyncSession, tenant_id: uuid.UUID) -> list[tuple[uuid.UUID, str | None]]:
    """The sales managers to alert, each with their branch (None: the whole dealership)."""
    rows = await db.execute(
        select(Membership.id, Staff.branch)
        .outerjoin(Staff, (Staff.tenant_id == Membership.tenant_id)
                   & (Staff.member_id == Membership.id))
        .where(Membership.tenant_id == tenant_id, Membership.role.in_(ALERTED_MANAGERS)))
    return [(m, b) for m, b in rows]


def managers_of(bosses: list[tuple[uuid.UUID, str | None]],
                branch: str | None) -> list[uuid.UUID]:
    """The promise's managers: those of its branch and those of the whole dealership."""
    return [m for m, b in bosses if b is None or b == branch]


async def names(db: AsyncSession, tenant_id: uuid.UUID,
                ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = set(ids)
    if not wanted:
        return {}
    rows = await db.execute(
        select(Membership.id, User.full_name, User.email)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == tenant_id, Membership.id.in_(wanted)))
    return {m: (name or email) for m, name, email in rows}
