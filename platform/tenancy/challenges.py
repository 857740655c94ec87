"""The second step of a sign-in: a short-lived, single-use challenge issued when the password
was right but a second factor is still needed, and answering it with a code.

The challenge token is signed (HS256, the secret key, an audience of its own, so it is never
an access token) and names the person, the tenant, the challenge row and when the password
was accepted. The row decides whether it still counts: used once, expired after
``CHALLENGE_TTL`` seconds, spent after ``MAX_FAILURES`` wrong codes, void when the person's
sessions were revoked (a new password) after the password step.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.errors import RapportError, conflict, invalid, unauthorized
from rapport.settings import Settings
from rapport.tenancy import recovery_codes, totp
from rapport.tenancy.models import Membership, Tenant, User
from rapport.tenancy.tokens import ALGORITHM, _key
from rapport.tenancy.two_factor_models import SignInChallenge
from rapport.tenancy.two_factor_policy import SecondStep

CHALLENGE_TTL = 300
MAX_FAILURES = 5
AUDIENCE = "rapport-second-step"
PROBLEM_TYPE = "urn:rapport:problem:second-factor-required"

_CLAIMS = jwt.JWTClaimsRegistry(
    exp={"essential": True},
    aud={"essential": True, "value": AUDIENCE},
    sub={"essential": True},
    tid={"essential": True},
    jti={"essential": True},
    kind={"essential": True},
)


@dataclass(frozen=True)
class Ticket:
    """A challenge token, read and verified (its row not yet consulted)."""

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    challenge_id: uuid.UUID
    kind: SecondStep


class SecondFactorRequired(RapportError):
    """The 401 of a right password when a second step is needed: the problem document
    carries the challenge (docs/auth.md, "Two-factor sign-in")."""

    def __init__(self, token: str, kind: SecondStep, ttl: int) -> None:
        words = (
            "Enter a code from your authenticator app or a recovery code"
            if kind is SecondStep.TOTP
            else "This organization requires two-factor sign-in: set up an authenticator app"
        )
        super().__init__(
            detail=words, status=401, title="Second factor required",
            extra={"type": PROBLEM_TYPE,
                   "challenge": {"token": token, "kind": kind.value, "expires_in": ttl}},
            headers={"WWW-Authenticate": 'Bearer realm="rapport"'},
        )
        self.token = token
        self.kind = kind


async def issue(
    session: AsyncSession,
    settings: Settings,
    *,
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    kind: SecondStep,
) -> SecondFactorRequired:
    """Record a challenge in the tenant (the transaction is in it) and sign its token; the
    person's expired challenges in this tenant are dropped on the way."""
    now = datetime.now(UTC)
    await session.execute(
        delete(SignInChallenge).where(
            SignInChallenge.tenant_id == tenant_id,
            SignInChallenge.user_id == user_id,
            SignInChallenge.expires_at < now,
        )
    )
    row = SignInChallenge(
        tenant_id=tenant_id, user_id=user_id, kind=kind.value,
        expires_at=now + timedelta(seconds=CHALLENGE_TTL),
    )
    session.add(row)
    await session.flush()
    issued = int(time.time())
    payload = {
        "sub": str(user_id), "tid": str(tenant_id), "jti": str(row.id), "kind": kind.value,
        "aud": AUDIENCE, "iat": issued, "exp": issued + CHALLENGE_TTL,
    }
    token = jwt.encode({"alg": ALGORITHM}, payload, _key(settings.secret_key),
                       algorithms=[ALGORITHM])
    return SecondFactorRequired(token, kind, CHALLENGE_TTL)


def read(settings: Settings, token: str) -> Ticket:
    """The verified token, or the 401 naming what is wrong with it."""
    try:
        decoded = jwt.decode(token, _key(settings.secret_key), algorithms=[ALGORITHM])
        _CLAIMS.validate(decoded.claims)
        c = decoded.claims
        return Ticket(uuid.UUID(c["sub"]), uuid.UUID(c["tid"]), uuid.UUID(c["jti"]),
                      SecondStep(c["kind"]))
    except ExpiredTokenError as exc:
        raise unauthorized("The sign-in challenge has expired: sign in again") from exc
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise unauthorized("The sign-in challenge is invalid: sign in again") from exc


@dataclass(frozen=True)
class Account:
    """Whose sign-in a ticket continues: the throttle's account key is (slug, e-mail)."""

    slug: str
    email: str


async def account_of(session: AsyncSession, ticket: Ticket) -> Account:
    row = (
        await session.execute(
            select(Tenant.slug, User.email).where(
                Tenant.id == ticket.tenant_id, User.id == ticket.user_id
            )
        )
    ).one_or_none()
    if row is None:
        raise unauthorized("The sign-in challenge is invalid: sign in again")
    return Account(row[0], row[1])


async def _live(session: AsyncSession, ticket: Ticket) -> SignInChallenge:
    """The ticket's row, locked, if it still counts; else the 401 naming why."""
    row = (
        await session.execute(
            select(SignInChallenge)
            .where(
                SignInChallenge.tenant_id == ticket.tenant_id,
                SignInChallenge.id == ticket.challenge_id,
                SignInChallenge.user_id == ticket.user_id,
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        raise unauthorized("The sign-in challenge is invalid: sign in again")
    if row.used_at is not None:
        raise unauthorized("The sign-in challenge was already used: sign in again")
    if row.expires_at <= datetime.now(UTC):
        raise unauthorized("The sign-in challenge has expired: sign in again")
    if row.failures >= MAX_FAILURES:
        raise unauthorized("The sign-in challenge had too many wrong codes: sign in again")
    revoked = (
        await session.execute(
            select(User.sessions_revoked_before)
            .join(Membership, Membership.user_id == User.id)
            .where(
                User.id == ticket.user_id,
                Membership.tenant_id == ticket.tenant_id,
                Membership.accepted_at.is_not(None),
            )
        )
    ).one_or_none()
    # A new password (or "sign out everywhere") after the password step voids the step.
    if revoked is None or (revoked[0] is not None and revoked[0] >= row.created_at):
        raise unauthorized("The sign-in challenge is no longer valid: sign in again")
    return row


async def enrolment_for(
    session: AsyncSession, settings: Settings, ticket: Ticket
) -> totp.Enrolment:
    """The authenticator of a person whose sign-in requires one (an ``enrol`` challenge):
    the one already pending (asked again after a wrong code), or a new one. The only thing
    such a challenge opens besides answering it."""
    if ticket.kind is not SecondStep.ENROL:
        raise conflict("This sign-in asks for a code, not an enrolment")
    await _live(session, ticket)
    email = (
        await session.execute(select(User.email).where(User.id == ticket.user_id))
    ).scalar_one()
    waiting = await totp.pending(session, settings, ticket.user_id, email)
    return waiting or await totp.start(session, settings, ticket.user_id, email)


@dataclass
class Answer:
    """How a second step went. ``refusal``: the 401 to raise after the transaction
    committed (the challenge's failure count must stay counted)."""

    method: str
    refusal: RapportError | None = None
    reason: str = ""
    recovery_codes: list[str] = field(default_factory=list)


def _wrong(method: str, reason: str, detail: str) -> Answer:
    return Answer(method, unauthorized(detail), reason)


async def answer(
    session: AsyncSession,
    settings: Settings,
    ticket: Ticket,
    *,
    code: str | None,
    recovery_code: str | None,
) -> Answer:
    """Check the code (or recovery code) against the live challenge; on success the
    challenge is used up. A wrong code counts against the challenge."""
    if (code is None) == (recovery_code is None):
        raise invalid("body", "give either code or recovery_code")
    row = await _live(session, ticket)
    method = "totp" if code is not None else "recovery_code"
    result: Answer
    if recovery_code is not None:
        if not await totp.is_on(session, ticket.user_id):
            raise invalid("recovery_code", "this sign-in sets up an authenticator: give its code")
        ok = await recovery_codes.use_code(session, ticket.user_id, recovery_code)
        result = Answer(method) if ok else _wrong(
            method, "wrong recovery code", "The recovery code is wrong or was already used")
    elif row.kind == SecondStep.ENROL and not await totp.is_on(session, ticket.user_id):
        codes = await totp.confirm_pending(session, settings, ticket.user_id, code or "")
        result = Answer(method, recovery_codes=codes) if codes is not None else _wrong(
            method, "wrong code", "The code is wrong or expired")
    else:
        checked = await totp.check(session, settings, ticket.user_id, code or "")
        if checked is totp.Check.ACCEPTED:
            result = Answer(method)
        elif checked is totp.Check.REPLAYED:
            result = _wrong(method, "code already used",
                            "This code was already used: wait for the next one")
        else:
            result = _wrong(method, "wrong code", "The code is wrong or expired")
    if result.refusal is None:
        row.used_at = datetime.now(UTC)
    else:
        row.failures += 1
    await session.flush()
    return result
