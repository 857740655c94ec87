"""Accepting an invitation. The link was e-mailed to the person, so holding it proves control
of the address. A person without a password chooses their first one here — only ever once,
whichever tenant's link they follow first; a person with a password proves it instead. No
tenant can set or learn anyone's password through an invitation."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.db.session import enter_tenant
from rapport.errors import RapportError, invalid, unauthorized
from rapport.tenancy.members import hash_token
from rapport.tenancy.models import Invitation, Membership, Tenant, User
from rapport.tenancy.passwords import hash_password, password_problem, verify_password


def _invalid_link() -> RapportError:
    return RapportError(
        detail="This invitation link is invalid, used or expired",
        status=404,
        title="Not found",
    )


async def _set_first_password(
    session: AsyncSession, user_id: object, password: str, full_name: str | None
) -> bool:
    """Set the password only if there is none yet, in one statement: of two links followed
    at the same moment, exactly one sets it."""
    values: dict[str, object] = {
        "password_hash": await asyncio.to_thread(hash_password, password),
        "email_verified_at": func.now(),
    }
    if full_name:
        values["full_name"] = full_name
    done = await session.execute(
        update(User)
        .where(User.id == user_id, User.password_hash.is_(None))
        .values(**values)
        .returning(User.id)
    )
    return done.first() is not None


async def accept_invitation(
    session: AsyncSession, *, slug: str, token: str, password: str, full_name: str | None = None
) -> User:
    tenant = (await session.execute(select(Tenant).where(Tenant.slug == slug))).scalar_one_or_none()
    if tenant is None:
        raise _invalid_link()
    await enter_tenant(session, tenant.id)
    row = (
        await session.execute(
            select(Invitation, Membership, User)
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
            .with_for_update(of=[Invitation, Membership])
        )
    ).one_or_none()
    if row is None:
        raise _invalid_link()
    invitation, membership, user = row
    name = (full_name or "").strip() or invitation.invited_name
    first = user.password_hash is None
    if first:
        if problem := password_problem(password):
            raise invalid("password", problem)
        first = await _set_first_password(session, user.id, password, name)
    if not first:
        # The person already has a password (perhaps set a moment ago through another
        # tenant's link): they prove it, and it stays exactly as it is.
        current = (
            await session.execute(select(User.password_hash).where(User.id == user.id))
        ).scalar_one()
        if not await asyncio.to_thread(verify_password, current, password):
            raise unauthorized("Wrong password for this account")
        await session.execute(
            update(User)
            .where(User.id == user.id, User.email_verified_at.is_(None))
            .values(email_verified_at=func.now())
        )
    now = datetime.now(UTC)
    membership.accepted_at = now
    invitation.accepted_at = now
    await session.flush()
    await session.refresh(user)
    return user
