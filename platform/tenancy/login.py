"""Log in to one tenant: the same answer for every kind of wrong, throttled per (account,
address) pair, per address, and per account against many addresses (rules:
docs/auth-throttling.md)."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.db.session import enter_tenant, tenant_session
from rapport.errors import unauthorized
from rapport.settings import Settings
from rapport.tenancy.models import Membership, Tenant, User
from rapport.tenancy.passwords import verify_password
from rapport.tenancy.sign_ins import record_sign_in
from rapport.tenancy.sso_policy import password_refused, use_sso
from rapport.tenancy.throttle import (
    account_key,
    address_key,
    release_login,
    reserve_login,
    too_many,
)
from rapport.tenancy.two_factor_policy import SecondStep, second_step

__all__ = ["INVALID", "LoginSuccess", "log_in", "too_many"]

INVALID = "Invalid organization, email or password"


@dataclass(frozen=True)
class LoginSuccess:
    user_id: uuid.UUID
    tenant_id: uuid.UUID
    # Set when the password is not enough: a code is owed, or an authenticator to enrol
    # (docs/auth.md, "Two-factor sign-in").
    second_step: SecondStep | None = None


@dataclass(frozen=True)
class _Refusal:
    """Whose sign-in log a refused attempt goes to: the tenant's and the person's, only when
    the person is a member there (another tenant must never learn of attempts on an account
    that is not its member); otherwise the application log (``rapport.tenancy.sign_ins``)."""

    tenant_id: uuid.UUID | None
    user_id: uuid.UUID | None
    reason: str


async def _member_of(session: AsyncSession, tenant_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    found = await session.execute(
        select(Membership.id).where(
            Membership.tenant_id == tenant_id, Membership.user_id == user_id
        )
    )
    return found.first() is not None


async def _check(
    session: AsyncSession, slug: str, email: str, password: str
) -> LoginSuccess | _Refusal:
    tenant = (
        await session.execute(select(Tenant).where(Tenant.slug == slug, Tenant.status == "active"))
    ).scalar_one_or_none()
    user = (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()
    # Always verify a hash, so unknown tenants and users cost what a wrong password costs.
    ok = await asyncio.to_thread(verify_password, user.password_hash if user else None, password)
    if not (tenant and user):
        return _Refusal(tenant.id if tenant else None, None, "unknown account")
    await enter_tenant(session, tenant.id)
    if not ok:
        known = await _member_of(session, tenant.id, user.id)
        return _Refusal(tenant.id, user.id if known else None, "password")
    role = (
        await session.execute(
            select(Membership.role).where(
                Membership.tenant_id == tenant.id,
                Membership.user_id == user.id,
                # A pending invitation (or unconfirmed sign-up) grants nothing yet.
                Membership.accepted_at.is_not(None),
            )
        )
    ).scalar_one_or_none()
    if role is None:
        # Pending or no membership: the application log only (see _Refusal).
        return _Refusal(tenant.id, None, "not a member")
    return LoginSuccess(user.id, tenant.id, await second_step(session, tenant.id, user.id, role))


async def log_in(
    maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    slug: str,
    email: str,
    password: str,
    address: str,
    user_agent: str | None = None,
) -> LoginSuccess:
    # The attempt is counted as a failure before the password is checked, so parallel
    # requests cannot all read "4 failures so far" and all get checked (issue 9, item 3).
    # Anything but success leaves it counted: a wrong password, and also an error midway,
    # which fails closed and ages out with the window.
    reservation = await reserve_login(
        maker,
        settings,
        account=account_key(settings, slug, email),
        address=address_key(settings, address),
    )
    if reservation.delay:
        await asyncio.sleep(reservation.delay)
    async with tenant_session(maker, None) as session:
        result = await _check(session, slug, email, password)
    if isinstance(result, _Refusal):
        await record_sign_in(
            maker, tenant_id=result.tenant_id, user_id=result.user_id, client_id=None,
            method="password", outcome="refused", address=address, user_agent=user_agent,
            detail={"reason": result.reason},
        )
        raise unauthorized(INVALID)
    if await password_refused(maker, result.tenant_id, result.user_id):
        # The tenant requires single sign-on; only its owners keep passwords (break-glass).
        await record_sign_in(
            maker, tenant_id=result.tenant_id, user_id=result.user_id, client_id=None,
            method="password", outcome="refused", address=address, user_agent=user_agent,
            detail={"reason": "single sign-on required"},
        )
        raise use_sso(slug)
    # With a second step owed the attempt stays counted: only the finished sign-in clears
    # the pair, so password and code guesses share one limit (docs/auth-throttling.md).
    if result.second_step is None:
        await release_login(maker, reservation)
    return result
