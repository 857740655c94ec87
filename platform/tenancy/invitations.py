"""Accepting an invitation: the invited person sets their first password."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.db.session import enter_tenant
from rapport.errors import RapportError, conflict, invalid
from rapport.tenancy.members import hash_token
from rapport.tenancy.models import Invitation, Membership, Tenant, User
from rapport.tenancy.passwords import hash_password, password_problem


def _invalid_link() -> RapportError:
    return RapportError(
        detail="This invitation link is invalid, used or expired",
        status=404,
        title="Not found",
    )


async def accept_invitation(session: AsyncSession, *, slug: str, token: str, password: str) -> User:
    if problem := password_problem(password):
        raise invalid("password", problem)
    tenant = (await session.execute(select(Tenant).where(Tenant.slug == slug))).scalar_one_or_none()
    if tenant is None:
        raise _invalid_link()
    await enter_tenant(session, tenant.id)
    row = (
        await session.execute(
            select(Invitation, User)
            .join(
                Membership,
                (Membership.tenant_id == Invitation.tenant_id)
                & (Membership.id == Invitation.membership_id),
            )
            .join(User, User.id == Membership.user_id)
            .where(
                Invitation.tenant_id == tenant.id,
                Invitation.token_hash == hash_token(token),
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > datetime.now(UTC),
            )
            .with_for_update(of=Invitation)
        )
    ).one_or_none()
    if row is None:
        raise _invalid_link()
    invitation, user = row
    if user.password_hash is not None:
        raise conflict("This account already has a password; log in instead")
    user.password_hash = hash_password(password)
    invitation.accepted_at = datetime.now(UTC)
    await session.flush()
    return user
