"""Recovery codes: ten random codes shown once when two-factor sign-in is turned on (or the
codes renewed); each signs in once in place of an authenticator code.

Only their SHA-256 is stored. A code carries 79 random bits (16 of 31 characters), so
unlike a password it needs no slow hash: nobody tries 2**79 candidates against a stolen table.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.db.base import new_id
from rapport.tenancy.two_factor_models import RecoveryCode

COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper
_GROUPS, _GROUP_LENGTH = 4, 4


def _new_code() -> str:
    groups = (
        "".join(secrets.choice(_ALPHABET) for _ in range(_GROUP_LENGTH)) for _ in range(_GROUPS)
    )
    return "-".join(groups)


def normalize(code: str) -> str:
    """What the person typed, as stored: lowercase, without spaces or hyphens."""
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(normalize(code).encode()).hexdigest()


async def replace_codes(session: AsyncSession, user_id: uuid.UUID) -> list[str]:
    """Ten new codes for the person; every earlier one stops working. The codes themselves
    are returned once, here, and never stored."""
    codes = [_new_code() for _ in range(COUNT)]
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    await session.execute(
        insert(RecoveryCode),
        [{"id": new_id(), "user_id": user_id, "code_hash": _digest(c)} for c in codes],
    )
    return codes


async def use_code(session: AsyncSession, user_id: uuid.UUID, code: str) -> bool:
    """Spend one code: True once for each code; one UPDATE, so two requests racing with the
    same code cannot both have it."""
    spent = await session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == _digest(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=func.now())
        .returning(RecoveryCode.id)
    )
    return spent.first() is not None


async def codes_left(session: AsyncSession, user_id: uuid.UUID) -> int:
    return (
        await session.execute(
            select(func.count()).where(
                RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None)
            )
        )
    ).scalar_one()


async def forget_codes(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
