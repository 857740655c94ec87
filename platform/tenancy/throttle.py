"""Login throttling kept in PostgreSQL, so every replica sees the same counts.

Keys are hashed: the table never holds an email or address in clear.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.tenancy.models import LoginFailure


def account_key(tenant_slug: str, email: str) -> str:
    return hashlib.sha256(f"acct:{tenant_slug.lower()}:{email.lower()}".encode()).hexdigest()


def address_key(address: str) -> str:
    return hashlib.sha256(f"addr:{address}".encode()).hexdigest()


@dataclass(frozen=True)
class FailureCounts:
    account: int
    address: int
    oldest: datetime | None


async def recent_failures(
    session: AsyncSession, acct: str, addr: str, window: timedelta
) -> FailureCounts:
    since = datetime.now(UTC) - window
    rows = (
        await session.execute(
            select(LoginFailure.key, func.count(), func.min(LoginFailure.at))
            .where(LoginFailure.key.in_([acct, addr]), LoginFailure.at >= since)
            .group_by(LoginFailure.key)
        )
    ).all()
    counts = {key: (n, oldest) for key, n, oldest in rows}
    oldest = min((o for _, o in counts.values()), default=None)
    return FailureCounts(counts.get(acct, (0, None))[0], counts.get(addr, (0, None))[0], oldest)


async def record_failure(session: AsyncSession, acct: str, addr: str, window: timedelta) -> None:
    now = datetime.now(UTC)
    session.add_all([LoginFailure(key=acct, at=now), LoginFailure(key=addr, at=now)])
    # Trim what has aged out for these keys, so the table stays small without a cron.
    await session.execute(
        delete(LoginFailure).where(
            LoginFailure.key.in_([acct, addr]), LoginFailure.at < now - window
        )
    )


async def clear_account(session: AsyncSession, acct: str) -> None:
    await session.execute(delete(LoginFailure).where(LoginFailure.key == acct))
