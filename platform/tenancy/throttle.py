"""Throttling of the public doors (login, sign-up, password-reset requests, invitation
acceptance), kept in PostgreSQL so every replica sees the same counts.

The rules and why they have this shape: docs/auth-throttling.md. In short, an attempt is
*reserved* (a row written) under advisory locks on its keys before the password is checked,
and the row is deleted again only when the login succeeds, so parallel requests cannot read
the same count and all go through.

Keys are HMACs under the secret key: the table never holds an e-mail or an address, and
unlike a bare SHA-256 an IPv4 address cannot be recovered by hashing all 2**32 of them.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, distinct, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.db.session import tenant_session
from rapport.errors import RapportError
from rapport.settings import Settings
from rapport.tenancy.models import ThrottleAttempt as Attempt

LOGIN = "login"
# The two-integer form of the advisory locks: a key space of its own, which the one-bigint
# locks taken elsewhere (custom field indexes, federation keys) can never collide with.
_LOCK_CLASS = 0x52415054  # "RAPT"
# Progressive slow-down stops growing here: past it the pair limit does the work, and a
# longer sleep would only hold the caller's connection to the web server.
_MAX_DELAY_SECONDS = 10.0
# Rows trimmed per counted attempt: enough to outpace any insert rate, small enough that
# no request pays for a big backlog (the table then needs no cron).
_TRIM_BATCH = 100


def too_many(retry_after: float) -> RapportError:
    """The 429 every throttled door answers, telling the client when to come back."""
    return RapportError(
        detail="Too many attempts; try again later",
        status=429,
        title="Too many requests",
        headers={"Retry-After": str(max(math.ceil(retry_after), 1))},
    )


def _digest(settings: Settings, *parts: str) -> str:
    key = hashlib.sha256(b"rapport-throttle\x00" + settings.secret_key.encode()).digest()
    return hmac.new(key, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()


def account_key(settings: Settings, tenant_slug: str, email: str) -> str:
    """One login identity: the same e-mail in two tenants is two accounts to throttle."""
    return _digest(settings, "account", tenant_slug.strip().lower(), email.strip().lower())


def address_key(settings: Settings, address: str) -> str:
    return _digest(settings, "address", address)


async def _lock(session: AsyncSession, *scopes: tuple[str, ...]) -> None:
    """Serialise counting for these scopes until the transaction ends. Taken in one global
    order, so two requests sharing two scopes cannot deadlock."""
    ids = sorted(
        {
            int.from_bytes(hashlib.sha256("\x00".join(s).encode()).digest()[:4], "big", signed=True)
            for s in scopes
        }
    )
    for lock_id in ids:
        await session.execute(
            # psycopg picks a parameter's integer type from its value; the casts pin the
            # (integer, integer) form, whose key space is the one meant above.
            text("SELECT pg_advisory_xact_lock(CAST(:cls AS integer), CAST(:id AS integer))"),
            {"cls": _LOCK_CLASS, "id": lock_id},
        )


async def _now(session: AsyncSession) -> datetime:
    # The database's clock, read after the locks: one clock for every replica, and a wait
    # on a lock does not make the attempt look older than it is.
    return (await session.execute(select(func.clock_timestamp()))).scalar_one()


async def _record(
    session: AsyncSession,
    action: str,
    account: str | None,
    address: str,
    *,
    now: datetime,
    window: timedelta,
) -> None:
    """Write the attempt, and trim a batch of rows every action's window has left behind."""
    await session.execute(
        insert(Attempt).values(action=action, account_key=account, address_key=address, at=now)
    )
    old = (
        select(Attempt.id)
        .where(Attempt.at < now - window)
        .order_by(Attempt.at)
        .limit(_TRIM_BATCH)
        .with_for_update(skip_locked=True)  # another request is trimming those already
    )
    await session.execute(delete(Attempt).where(Attempt.id.in_(old.scalar_subquery())))


def _until(oldest: datetime | None, window: timedelta, now: datetime) -> float:
    """Seconds until a row written at ``oldest`` leaves the window."""
    return ((oldest or now) + window - now).total_seconds()


# ---------------------------------------------------------------- login


@dataclass(frozen=True)
class LoginHistory:
    """What the window holds for one login attempt's keys (the attempt itself not included)."""

    pair: int
    pair_oldest: datetime | None
    pair_newest: datetime | None
    address: int
    address_oldest: datetime | None
    account_addresses: int


@dataclass(frozen=True)
class LoginReservation:
    """A login attempt counted as a failure until ``release_login`` proves otherwise."""

    account: str
    address: str
    # Seconds to wait before checking the password (progressive slow-down of the pair).
    delay: float


async def _login_history(
    session: AsyncSession, account: str, address: str, since: datetime
) -> LoginHistory:
    pair = (Attempt.account_key == account) & (Attempt.address_key == address)
    row = (
        await session.execute(
            select(
                func.count().filter(pair),
                func.min(Attempt.at).filter(pair),
                func.max(Attempt.at).filter(pair),
                func.count().filter(Attempt.address_key == address),
                func.min(Attempt.at).filter(Attempt.address_key == address),
                func.count(distinct(Attempt.address_key)).filter(Attempt.account_key == account),
            ).where(
                Attempt.action == LOGIN,
                Attempt.at > since,
                (Attempt.account_key == account) | (Attempt.address_key == address),
            )
        )
    ).one()
    return LoginHistory(*row)


def _login_refusal(settings: Settings, seen: LoginHistory, now: datetime) -> float | None:
    """Seconds to wait when a rule refuses this attempt, else None. Refused attempts are not
    recorded: hammering a locked door does not keep it locked longer."""
    window = timedelta(seconds=settings.login_window_seconds)
    waits = []
    if seen.pair >= settings.login_lockout_after:
        waits.append(_until(seen.pair_oldest, window, now))
    if seen.address >= settings.login_address_lockout_after:
        waits.append(_until(seen.address_oldest, window, now))
    # Only addresses that already failed against the account: a distributed attack must
    # not become a way to lock the owner out from a clean address.
    if seen.pair > 0 and seen.account_addresses >= settings.login_distributed_after:
        waits.append(_until(seen.pair_newest, window, now))
    return max(waits) if waits else None


def _slowdown(settings: Settings, pair_failures: int) -> float:
    if pair_failures < settings.login_slowdown_after:
        return 0.0
    extra = pair_failures - settings.login_slowdown_after + 1
    return min(settings.login_slowdown_seconds * extra, _MAX_DELAY_SECONDS)


async def reserve_login(
    maker: async_sessionmaker[AsyncSession], settings: Settings, *, account: str, address: str
) -> LoginReservation:
    """Count one login attempt for ``account`` from ``address`` *before* the password is
    checked, or raise the 429. The locks on the account and the address make the count
    and the insert one step for every request sharing either, across replicas."""
    window = timedelta(seconds=settings.login_window_seconds)
    async with tenant_session(maker, None) as session:
        await _lock(session, (LOGIN, "account", account), (LOGIN, "address", address))
        now = await _now(session)
        seen = await _login_history(session, account, address, now - window)
        wait = _login_refusal(settings, seen, now)
        if wait is not None:
            raise too_many(wait)
        await _record(session, LOGIN, account, address, now=now, window=window)
    return LoginReservation(account, address, _slowdown(settings, seen.pair))


async def release_login(
    maker: async_sessionmaker[AsyncSession], reservation: LoginReservation
) -> None:
    """The password was right: forget this pair's failures (the reserved one included).
    Other addresses' failures against the account stay; they were not this caller's."""
    async with tenant_session(maker, None) as session:
        await session.execute(
            delete(Attempt).where(
                Attempt.action == LOGIN,
                Attempt.account_key == reservation.account,
                Attempt.address_key == reservation.address,
            )
        )


# ---------------------------------------------------------------- other public doors


async def guard_public_action(
    maker: async_sessionmaker[AsyncSession], settings: Settings, *, action: str, address: str
) -> None:
    """Count one attempt of ``action`` (e.g. "signup") from ``address`` atomically; raise the
    429 RapportError (with Retry-After) once the address passed ``settings.public_action_limit``
    attempts within ``settings.login_window_seconds``."""
    if action == LOGIN:
        raise ValueError("logins are throttled by reserve_login, with their own rules")
    addr = address_key(settings, address)
    window = timedelta(seconds=settings.login_window_seconds)
    async with tenant_session(maker, None) as session:
        await _lock(session, (action, "address", addr))
        now = await _now(session)
        count, oldest = (
            await session.execute(
                select(func.count(), func.min(Attempt.at)).where(
                    Attempt.action == action, Attempt.address_key == addr, Attempt.at > now - window
                )
            )
        ).one()
        if count >= settings.public_action_limit:
            raise too_many(_until(oldest, window, now))
        await _record(session, action, None, addr, now=now, window=window)
