"""Log in to one tenant: the same answer for every kind of wrong, throttled per account and
per address."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.db.session import enter_tenant, tenant_session
from rapport.errors import RapportError, unauthorized
from rapport.settings import Settings
from rapport.tenancy.models import Membership, Tenant, User
from rapport.tenancy.passwords import verify_password
from rapport.tenancy.throttle import (
    account_key,
    address_key,
    clear_account,
    recent_failures,
    record_failure,
)

INVALID = "Invalid organization, email or password"


@dataclass(frozen=True)
class LoginSuccess:
    user_id: uuid.UUID
    tenant_id: uuid.UUID


def too_many(retry_after: int) -> RapportError:
    return RapportError(
        detail="Too many failed attempts; try again later",
        status=429,
        title="Too many requests",
        headers={"Retry-After": str(max(retry_after, 1))},
    )


async def _check(
    session: AsyncSession, slug: str, email: str, password: str
) -> LoginSuccess | None:
    tenant = (
        await session.execute(select(Tenant).where(Tenant.slug == slug, Tenant.status == "active"))
    ).scalar_one_or_none()
    user = (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()
    # Always verify a hash, so unknown tenants and users cost what a wrong password costs.
    ok = await asyncio.to_thread(verify_password, user.password_hash if user else None, password)
    if not (ok and tenant and user):
        return None
    await enter_tenant(session, tenant.id)
    member = (
        await session.execute(
            select(Membership.id).where(
                Membership.tenant_id == tenant.id, Membership.user_id == user.id
            )
        )
    ).scalar_one_or_none()
    return LoginSuccess(user.id, tenant.id) if member else None


async def log_in(
    maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    slug: str,
    email: str,
    password: str,
    address: str,
) -> LoginSuccess:
    window = timedelta(seconds=settings.login_window_seconds)
    acct, addr = account_key(slug, email), address_key(address)
    async with tenant_session(maker, None) as session:
        counts = await recent_failures(session, acct, addr, window)
    if (
        counts.account >= settings.login_lockout_after
        or counts.address >= settings.login_address_lockout_after
    ):
        oldest = counts.oldest or datetime.now(UTC)
        raise too_many(int((oldest + window - datetime.now(UTC)).total_seconds()))
    if counts.account >= settings.login_slowdown_after:
        extra = counts.account - settings.login_slowdown_after + 1
        await asyncio.sleep(min(settings.login_slowdown_seconds * extra, 10.0))

    async with tenant_session(maker, None) as session:
        result = await _check(session, slug, email, password)
    # Failures are recorded in their own transaction: the 401 must not roll them back.
    async with tenant_session(maker, None) as session:
        if result is None:
            await record_failure(session, acct, addr, window)
        else:
            await clear_account(session, acct)
    if result is None:
        raise unauthorized(INVALID)
    return result
