"""A person's own credentials: change the password (knowing the current one), reset it by
e-mail, confirm the address. Only the person can do any of these — never a tenant — and a
new password ends every session of theirs, in every tenant."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.db.session import tenant_session
from rapport.errors import RapportError, invalid
from rapport.mail import Mail, deliver
from rapport.settings import Settings
from rapport.tenancy import account_tokens, letters
from rapport.tenancy.account_tokens import Purpose
from rapport.tenancy.models import User
from rapport.tenancy.passwords import hash_password, password_problem, verify_password
from rapport.tenancy.principal import Principal
from rapport.tenancy.sessions import revoke_everywhere
from rapport.tenancy.validation import normalise_email


def _invalid_link() -> RapportError:
    return RapportError(detail="This link is invalid, used or expired", status=404,
                        title="Not found")


def _check_new(password: str, field: str) -> None:
    if problem := password_problem(password):
        raise invalid(field, problem)


async def _set_password(session: AsyncSession, user_id: uuid.UUID, password: str) -> None:
    await session.execute(
        update(User)
        .where(User.id == user_id)
        .values(password_hash=await asyncio.to_thread(hash_password, password))
    )
    await revoke_everywhere(session, user_id)


async def change_password(
    session: AsyncSession, actor: Principal, *, current: str, new: str
) -> None:
    _check_new(new, "new_password")
    stored = (
        await session.execute(select(User.password_hash).where(User.id == actor.user_id))
    ).scalar_one()
    if not await asyncio.to_thread(verify_password, stored, current):
        raise invalid("current_password", "is not your current password")
    await _set_password(session, actor.user_id, new)


async def send_reset_link(
    maker: async_sessionmaker[AsyncSession], settings: Settings, email: str
) -> None:
    """Runs after the answer is sent (a background task), so the caller learns nothing —
    not even from the timing — about whether the address has an account."""
    try:
        address = normalise_email(email)
    except RapportError:
        return
    letter: Mail | None = None
    async with tenant_session(maker, None) as session:
        user_id = (
            await session.execute(select(User.id).where(User.email == address))
        ).scalar_one_or_none()
        if user_id is not None:
            token = await account_tokens.issue(
                session, user_id, Purpose.PASSWORD_RESET, settings.password_reset_ttl
            )
            letter = letters.password_reset(
                base_url=settings.base_url, to=address, token=token,
                ttl_minutes=settings.password_reset_ttl // 60,
            )
    if letter is not None:
        await deliver(settings, letter)


async def reset_password(session: AsyncSession, *, token: str, password: str) -> None:
    # Check the new password first: a refused password must not use the link up.
    _check_new(password, "password")
    user_id = await account_tokens.consume(session, token, Purpose.PASSWORD_RESET)
    if user_id is None:
        raise _invalid_link()
    await _set_password(session, user_id, password)
    # Following the e-mailed link proved the address too.
    await session.execute(
        update(User)
        .where(User.id == user_id, User.email_verified_at.is_(None))
        .values(email_verified_at=func.now())
    )


async def verify_email(session: AsyncSession, *, token: str) -> None:
    user_id = await account_tokens.consume(session, token, Purpose.VERIFY_EMAIL)
    if user_id is None:
        raise _invalid_link()
    await session.execute(
        update(User)
        .where(User.id == user_id, User.email_verified_at.is_(None))
        .values(email_verified_at=func.now())
    )


async def verification_letter(
    session: AsyncSession, actor: Principal, settings: Settings
) -> Mail | None:
    """A new confirmation link for the caller, or None when the address is confirmed."""
    verified = (
        await session.execute(select(User.email_verified_at).where(User.id == actor.user_id))
    ).scalar_one()
    if verified is not None:
        return None
    token = await account_tokens.issue(
        session, actor.user_id, Purpose.VERIFY_EMAIL, settings.email_verification_ttl
    )
    return letters.verify_email(base_url=settings.base_url, to=actor.email, token=token)
