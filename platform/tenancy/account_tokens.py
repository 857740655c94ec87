"""Single-use, expiring tokens e-mailed to a person: following the link proves control of
the address. Only a SHA-256 of each token is stored."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.tenancy.models import AccountToken


class Purpose(StrEnum):
    PASSWORD_RESET = "password_reset"  # noqa: S105 - a purpose name, not a secret
    VERIFY_EMAIL = "verify_email"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(32)


async def issue(session: AsyncSession, user_id: uuid.UUID, purpose: Purpose, ttl: int) -> str:
    """A fresh token; earlier unused ones of the same purpose stop working (only the newest
    e-mail counts)."""
    now = datetime.now(UTC)
    await session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user_id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
    )
    token = new_token()
    session.add(
        AccountToken(
            user_id=user_id,
            purpose=purpose,
            token_hash=hash_token(token),
            expires_at=now + timedelta(seconds=ttl),
        )
    )
    await session.flush()
    return token


async def consume(session: AsyncSession, token: str, purpose: Purpose) -> uuid.UUID | None:
    """Use the token up in one statement (two racing requests cannot both succeed); the
    person it belongs to, or None when it is unknown, used or expired."""
    row = await session.execute(
        update(AccountToken)
        .where(
            AccountToken.token_hash == hash_token(token),
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > datetime.now(UTC),
        )
        .values(used_at=datetime.now(UTC))
        .returning(AccountToken.user_id)
    )
    found = row.first()
    return found[0] if found else None
