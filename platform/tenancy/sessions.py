"""Sessions: one row per issued access token. Logout revokes one; a password change or
reset, or "sign out everywhere", revokes all of a person's sessions in every tenant at once;
removal from a tenant deletes that tenant's rows (the foreign key cascades) and no others."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.errors import not_found
from rapport.tenancy.models import AuthSession, User
from rapport.tenancy.principal import Principal

USER_AGENT_MAX = 200


async def open_session(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    ttl: int,
    user_agent: str,
    address: str,
) -> AuthSession:
    """Record a new session in the tenant the caller has entered; expired rows of the same
    person in this tenant are dropped on the way, so the table stays small without a cron."""
    now = datetime.now(UTC)
    await session.execute(
        delete(AuthSession).where(
            AuthSession.tenant_id == tenant_id,
            AuthSession.user_id == user_id,
            AuthSession.expires_at < now,
        )
    )
    # created_at comes from the database clock, as sessions_revoked_before does, so the
    # two compare on one clock whichever replica wrote them.
    row = AuthSession(
        tenant_id=tenant_id,
        user_id=user_id,
        expires_at=now + timedelta(seconds=ttl),
        user_agent=user_agent[:USER_AGENT_MAX],
        address=address[:64],
    )
    session.add(row)
    await session.flush()
    return row


async def list_sessions(session: AsyncSession, actor: Principal) -> list[AuthSession]:
    """The caller's live sessions in this tenant, newest first."""
    rows = await session.execute(
        select(AuthSession)
        .join(User, User.id == AuthSession.user_id)
        .where(
            AuthSession.tenant_id == actor.tenant_id,
            AuthSession.user_id == actor.user_id,
            AuthSession.revoked_at.is_(None),
            AuthSession.expires_at > datetime.now(UTC),
            (User.sessions_revoked_before.is_(None))
            | (AuthSession.created_at > User.sessions_revoked_before),
        )
        .order_by(AuthSession.created_at.desc())
    )
    return list(rows.scalars())


async def revoke_session(session: AsyncSession, actor: Principal, session_id: uuid.UUID) -> None:
    """End one of the caller's own sessions in this tenant (404 for anyone else's)."""
    done = await session.execute(
        update(AuthSession)
        .where(
            AuthSession.tenant_id == actor.tenant_id,
            AuthSession.user_id == actor.user_id,
            AuthSession.id == session_id,
            AuthSession.revoked_at.is_(None),
        )
        .values(revoked_at=datetime.now(UTC))
        .returning(AuthSession.id)
    )
    if done.first() is None:
        raise not_found("Session")


async def revoke_everywhere(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Every session of this person, in every tenant, stops counting now. One global row
    changes, so no tenant's data (and no tenant context) is needed to do it."""
    await session.execute(
        update(User).where(User.id == user_id).values(sessions_revoked_before=func.now())
    )
