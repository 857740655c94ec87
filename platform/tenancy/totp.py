"""A person's TOTP authenticator (RFC 6238, pyotp): enrol (a pending secret with its
``otpauth://`` URI and QR code), confirm with a first code (recovery codes are issued then),
check a code at sign-in, turn it off. The person's own credential: global, never a tenant's.

A code is accepted for the current 30-second step or the one before or after (clock drift),
and at most once: the newest accepted step is stored, and only a later step passes — one
UPDATE, so two requests racing with the same code cannot both succeed (RFC 6238 §5.2).
"""

from __future__ import annotations

import asyncio
import hmac
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum

import pyotp
import segno
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.errors import RapportError, conflict, invalid
from rapport.settings import Settings
from rapport.tenancy import recovery_codes
from rapport.tenancy.models import User
from rapport.tenancy.passwords import verify_password
from rapport.tenancy.secret_box import TOTP_SECRET, Unreadable, open_sealed, seal
from rapport.tenancy.two_factor_models import UserTotp

ISSUER = "Rapport"
STEP_SECONDS = 30
# Steps either side of now that still pass: one covers a phone's clock a little off.
DRIFT_STEPS = 1


class Check(StrEnum):
    """How a code fared."""

    ACCEPTED = "accepted"
    WRONG = "wrong"
    # Right code, but a code of this step (or a later one) was already accepted.
    REPLAYED = "replayed"


@dataclass(frozen=True)
class Enrolment:
    """What the person's authenticator app needs, shown once while enrolling."""

    secret: str
    uri: str
    qr_svg: str
    qr_data_uri: str


def _seal(settings: Settings, user_id: uuid.UUID, secret: str) -> str:
    return seal(settings.secret_key, TOTP_SECRET, str(user_id), secret)


def _open(settings: Settings, row: UserTotp) -> str | None:
    try:
        return open_sealed(settings.secret_key, TOTP_SECRET, str(row.user_id), row.secret)
    except Unreadable:
        # Sealed under an earlier secret key: no code can match (docs/auth.md says the
        # way back in is a recovery code).
        return None


def enrolment(secret: str, email: str) -> Enrolment:
    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    qr = segno.make(uri, error="m")
    return Enrolment(
        secret, uri,
        qr.svg_inline(scale=4, title="QR code for your authenticator app"),
        qr.svg_data_uri(scale=4),
    )


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step ``code`` belongs to (within the drift allowed), else None."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = int((time.time() if now is None else now) // STEP_SECONDS)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Every candidate is compared (no early exit), in constant time.
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            found = step
    return found


async def _row(session: AsyncSession, user_id: uuid.UUID, *, lock: bool = False) -> UserTotp | None:
    query = select(UserTotp).where(UserTotp.user_id == user_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def is_on(session: AsyncSession, user_id: uuid.UUID) -> bool:
    return (
        await session.execute(
            select(func.count()).where(
                UserTotp.user_id == user_id, UserTotp.confirmed_at.is_not(None)
            )
        )
    ).scalar_one() > 0


@dataclass(frozen=True)
class Status:
    enabled: bool
    pending: bool
    recovery_codes_left: int


async def status(session: AsyncSession, user_id: uuid.UUID) -> Status:
    row = await _row(session, user_id)
    left = await recovery_codes.codes_left(session, user_id) if row else 0
    return Status(
        enabled=bool(row and row.confirmed_at), pending=bool(row and not row.confirmed_at),
        recovery_codes_left=left,
    )


async def start(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID, email: str
) -> Enrolment:
    """A new pending secret (replacing a pending one); 409 while an authenticator is on —
    turning it off first is a deliberate step that asks for proof."""
    secret = pyotp.random_base32()
    stored = await session.execute(
        insert(UserTotp)
        .values(user_id=user_id, secret=_seal(settings, user_id, secret))
        .on_conflict_do_update(
            index_elements=[UserTotp.user_id],
            set_={"secret": _seal(settings, user_id, secret), "created_at": func.now(),
                  "last_used_step": None},
            where=UserTotp.confirmed_at.is_(None),
        )
        .returning(UserTotp.user_id)
    )
    if stored.first() is None:
        raise conflict("Two-factor sign-in is already on; turn it off before enrolling again")
    return enrolment(secret, email)


async def pending(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID, email: str
) -> Enrolment | None:
    """The enrolment waiting for its first code, shown again (a wrong first code, a page
    reloaded); None when none is pending. Never once the authenticator is on."""
    row = await _row(session, user_id)
    if row is None or row.confirmed_at is not None:
        return None
    secret = _open(settings, row)
    return enrolment(secret, email) if secret else None


async def confirm_pending(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID, code: str
) -> list[str] | None:
    """Turn the pending authenticator on with its first code: the ten recovery codes (shown
    only now), or None when the code is not its current one; 409 when nothing is pending."""
    row = await _row(session, user_id, lock=True)
    if row is None:
        raise conflict("No authenticator is being set up: start the enrolment first")
    if row.confirmed_at is not None:
        raise conflict("Two-factor sign-in is already on")
    secret = _open(settings, row)
    step = matching_step(secret, code) if secret else None
    if step is None:
        return None
    # The confirming code is used up too: it cannot serve again at a sign-in.
    row.confirmed_at = func.now()
    row.last_used_step = step
    return await recovery_codes.replace_codes(session, user_id)


async def confirm(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID, code: str
) -> list[str]:
    """``confirm_pending``, with a wrong code as the 422 naming ``code``."""
    codes = await confirm_pending(session, settings, user_id, code)
    if codes is None:
        raise invalid("code", "is not the current code of the authenticator being set up")
    return codes


async def check(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID, code: str
) -> Check:
    """Check a code of the person's authenticator, and use it up when it is accepted."""
    row = await _row(session, user_id)
    if row is None or row.confirmed_at is None:
        return Check.WRONG
    secret = _open(settings, row)
    step = matching_step(secret, code) if secret else None
    if step is None:
        return Check.WRONG
    used = await session.execute(
        update(UserTotp)
        .where(
            UserTotp.user_id == user_id,
            UserTotp.confirmed_at.is_not(None),
            UserTotp.last_used_step.is_(None) | (UserTotp.last_used_step < step),
        )
        .values(last_used_step=step)
        .returning(UserTotp.user_id)
    )
    return Check.ACCEPTED if used.first() is not None else Check.REPLAYED


def _refused_code(result: Check) -> RapportError:
    if result is Check.REPLAYED:
        return invalid("code", "was already used; wait for the next code")
    return invalid("code", "is not the current code of your authenticator")


async def require_code(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID, code: str
) -> None:
    """A current, unused code of the person's authenticator, or the 422 naming ``code``."""
    result = await check(session, settings, user_id, code)
    if result is not Check.ACCEPTED:
        raise _refused_code(result)


async def renew_codes(
    session: AsyncSession, settings: Settings, user_id: uuid.UUID, code: str
) -> list[str]:
    if not await is_on(session, user_id):
        raise conflict("Two-factor sign-in is off: there are no recovery codes to renew")
    await require_code(session, settings, user_id, code)
    return await recovery_codes.replace_codes(session, user_id)


async def turn_off(
    session: AsyncSession,
    settings: Settings,
    user_id: uuid.UUID,
    *,
    password: str | None,
    code: str | None,
) -> None:
    """Remove the authenticator (pending or on) and the recovery codes, given the person's
    current password or a current code."""
    if (password is None) == (code is None):
        raise invalid("body", "give either password or code")
    row = await _row(session, user_id, lock=True)
    if row is None:
        raise conflict("Two-factor sign-in is already off")
    if code is not None:
        await require_code(session, settings, user_id, code)
    else:
        stored = (
            await session.execute(select(User.password_hash).where(User.id == user_id))
        ).scalar_one()
        if not await asyncio.to_thread(verify_password, stored, password or ""):
            raise invalid("password", "is not your current password")
    await remove(session, user_id)


async def remove(session: AsyncSession, user_id: uuid.UUID) -> bool:
    """Delete the person's authenticator and recovery codes; whether there was one."""
    gone = await session.execute(
        delete(UserTotp).where(UserTotp.user_id == user_id).returning(UserTotp.user_id)
    )
    await recovery_codes.forget_codes(session, user_id)
    return gone.first() is not None
