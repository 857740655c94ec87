"""What single sign-on changes for the other doors: a tenant that requires SSO refuses
password sign-in to everyone but its owners (break-glass), and a session SSO opened may not
act on the person's other tenants (docs/auth.md, "Single sign-on")."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.db.session import tenant_session
from rapport.errors import RapportError
from rapport.tenancy.models import AuthSession, Membership, Role
from rapport.tenancy.sso_models import SsoConfig, SsoSession


def use_sso(slug: str) -> RapportError:
    return RapportError(
        detail=(f"This organization requires single sign-on: sign in through "
                f"/api/v1/auth/sso/{slug}/start (only owners may use a password)"),
        status=403, title="Single sign-on required",
        extra={"sso_start": f"/api/v1/auth/sso/{slug}/start"},
    )


async def password_refused(
    maker: async_sessionmaker[AsyncSession], tenant_id: uuid.UUID, user_id: uuid.UUID
) -> bool:
    """Whether the tenant requires SSO and the member is not an owner."""
    async with tenant_session(maker, tenant_id) as session:
        role = await session.scalar(
            select(Membership.role)
            .join(SsoConfig, (SsoConfig.tenant_id == Membership.tenant_id)
                  & SsoConfig.require_sso.is_(True))
            .where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
        )
    return role is not None and role != Role.OWNER


async def opened_by_sso(session: AsyncSession, tenant_id: uuid.UUID,
                        session_id: uuid.UUID) -> bool:
    """Whether the session ``session_id`` of this tenant came from an SSO sign-in."""
    return bool(await session.scalar(select(exists().where(
        SsoSession.tenant_id == tenant_id, SsoSession.id == session_id))))


async def end_sessions_here(session: AsyncSession, tenant_id: uuid.UUID,
                            user_id: uuid.UUID) -> None:
    """Every live session of the person in this tenant ends now; other tenants' stay."""
    await session.execute(
        update(AuthSession)
        .where(AuthSession.tenant_id == tenant_id, AuthSession.user_id == user_id,
               AuthSession.revoked_at.is_(None))
        .values(revoked_at=datetime.now(UTC))
    )
