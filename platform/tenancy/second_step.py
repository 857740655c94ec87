"""The sign-in's second step end to end, shared by the API (``POST /auth/login/2fa``) and the
console's sign-in page: throttled like the password (the same (account, address) counts),
every challenge, success and refusal in the tenant's sign-in log, and the session issued
through the one session path (``open_session`` + ``issue_access_token``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.db.session import tenant_session
from rapport.errors import RapportError, invalid
from rapport.settings import Settings
from rapport.tenancy import challenges
from rapport.tenancy.challenges import SecondFactorRequired
from rapport.tenancy.login import LoginSuccess
from rapport.tenancy.sessions import open_session
from rapport.tenancy.sign_ins import record_sign_in
from rapport.tenancy.throttle import account_key, address_key, release_login, reserve_login
from rapport.tenancy.tokens import AccessClaims, issue_access_token
from rapport.tenancy.totp import Enrolment
from rapport.tenancy.two_factor_policy import SecondStep


@dataclass(frozen=True)
class Caller:
    address: str
    user_agent: str


async def challenge(
    maker: async_sessionmaker[AsyncSession], settings: Settings, ok: LoginSuccess, caller: Caller
) -> SecondFactorRequired:
    """The right password of a person who still owes a second step: the challenge (to raise
    as the login's 401), recorded in the tenant's sign-in log."""
    kind = ok.second_step or SecondStep.TOTP
    async with tenant_session(maker, ok.tenant_id) as db:
        required = await challenges.issue(
            db, settings, tenant_id=ok.tenant_id, user_id=ok.user_id, kind=kind
        )
        await record_sign_in(
            db, tenant_id=ok.tenant_id, user_id=ok.user_id, client_id=None, method="totp",
            outcome="challenge", address=caller.address, user_agent=caller.user_agent,
            detail={"reason": "enrolment required" if kind is SecondStep.ENROL
                    else "code required"},
        )
    return required


@dataclass(frozen=True)
class SignedIn:
    token: str
    claims: AccessClaims
    # Only when this sign-in turned two-factor sign-in on (an enrolment challenge).
    recovery_codes: list[str]


async def complete(
    maker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    token: str,
    code: str | None,
    recovery_code: str | None,
    caller: Caller,
) -> SignedIn:
    """Answer a challenge: the new session, or the 401 naming what was wrong (a wrong or
    reused code, an expired or used challenge), 429 past the login throttle's limits."""
    if (code is None) == (recovery_code is None):
        raise invalid("body", "give either code or recovery_code")
    ticket = challenges.read(settings, token)
    async with tenant_session(maker, None) as db:
        account = await challenges.account_of(db, ticket)
    # A code guess counts like a password guess of the same account from the same address,
    # and the password step left its own attempt counted: only a finished sign-in clears
    # the pair (docs/auth-throttling.md).
    reservation = await reserve_login(
        maker, settings, account=account_key(settings, account.slug, account.email),
        address=address_key(settings, caller.address),
    )
    if reservation.delay:
        await asyncio.sleep(reservation.delay)
    method = "totp" if code is not None else "recovery_code"

    async def refused(reason: str) -> None:
        await record_sign_in(
            maker, tenant_id=ticket.tenant_id, user_id=ticket.user_id, client_id=None,
            method=method, outcome="refused", address=caller.address,
            user_agent=caller.user_agent, detail={"reason": reason},
        )

    try:
        async with tenant_session(maker, ticket.tenant_id) as db:
            answer = await challenges.answer(
                db, settings, ticket, code=code, recovery_code=recovery_code
            )
            if answer.refusal is None:
                opened = await open_session(
                    db, tenant_id=ticket.tenant_id, user_id=ticket.user_id,
                    ttl=settings.access_token_ttl, user_agent=caller.user_agent,
                    address=caller.address,
                )
                await record_sign_in(
                    db, tenant_id=ticket.tenant_id, user_id=ticket.user_id, client_id=None,
                    method=method, outcome="success", address=caller.address,
                    user_agent=caller.user_agent,
                    detail={"reason": "enrolled" if answer.recovery_codes else "second step"},
                )
    except RapportError as exc:
        # The challenge itself was refused (used, expired, spent, void): nothing was written.
        await refused(exc.detail[:120])
        raise
    if answer.refusal is not None:
        await refused(answer.reason)
        raise answer.refusal
    await release_login(maker, reservation)
    access, claims = issue_access_token(
        settings.secret_key, user_id=ticket.user_id, tenant_id=ticket.tenant_id,
        session_id=opened.id, ttl=settings.access_token_ttl,
    )
    return SignedIn(access, claims, answer.recovery_codes)


async def enrol(
    maker: async_sessionmaker[AsyncSession], settings: Settings, token: str
) -> Enrolment:
    """The authenticator to set up through an enrolment challenge (nothing else is open to
    it: no token, no tenant data, until the first code confirms it)."""
    ticket = challenges.read(settings, token)
    async with tenant_session(maker, ticket.tenant_id) as db:
        return await challenges.enrolment_for(db, settings, ticket)
