"""HTTP doors of two-factor sign-in: a person's authenticator (``/me/2fa``), the login's
second step (``/auth/login/2fa``) and the tenant's policy (``/auth/policy``).
docs/auth.md, "Two-factor sign-in"."""

from __future__ import annotations

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.audit.service import record
from rapport.errors import ALSO_ANSWERS, forbidden
from rapport.settings import Settings
from rapport.tenancy import second_step, totp
from rapport.tenancy.controllers import PUBLIC, client_address, guard_request
from rapport.tenancy.principal import Principal
from rapport.tenancy.throttle import guard_public_action
from rapport.tenancy.tokens import SESSION_COOKIE
from rapport.tenancy.two_factor_policy import Require, read_policy, set_policy
from rapport.tenancy.two_factor_schemas import (
    ChallengeIn,
    CodeIn,
    PolicyIn,
    PolicyOut,
    RecoveryCodesOut,
    SecondStepIn,
    SecondStepOut,
    TotpConfirmIn,
    TotpEnrolmentOut,
    TwoFactorOffIn,
    TwoFactorStatusOut,
)

# Proof asked of a signed-in person (turning off, renewing codes) is throttled per person,
# as the password change is: a stolen session cannot guess codes freely.
PROOF_ACTION = "2fa-proof"


def _enrolment_out(e: totp.Enrolment) -> TotpEnrolmentOut:
    return TotpEnrolmentOut(e.secret, e.uri, e.qr_svg, e.qr_data_uri)


def _person(principal: Principal) -> Principal:
    if principal.client_id is not None:
        raise forbidden("An API client has no second factor; only a person has")
    return principal


async def _guard_proof(request: Request, settings: Settings, principal: Principal) -> None:
    await guard_public_action(
        request.app.state.sessionmaker, settings, action=PROOF_ACTION,
        address=f"user:{principal.user_id}",
    )


class MyTwoFactorController(Controller):
    """The person's own authenticator: global, the same in every organization."""

    path = "/api/v1/me/2fa"
    tags = ["account"]

    @get("/")
    async def two_factor_status(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession]
    ) -> TwoFactorStatusOut:
        """Whether two-factor sign-in is on (or an enrolment is pending), and how many
        recovery codes are left."""
        s = await totp.status(db, _person(principal).user_id)
        return TwoFactorStatusOut(s.enabled, s.pending, s.recovery_codes_left)

    @post("/totp", status_code=201, opt={ALSO_ANSWERS: (409,)})
    async def start_totp(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> TotpEnrolmentOut:
        """Start enrolling an authenticator app: a new secret (pending until confirmed),
        its ``otpauth://`` URI and QR code. The secret is never shown again after
        enrolment. 409 while two-factor sign-in is on."""
        p = _person(principal)
        return _enrolment_out(await totp.start(db, settings, p.user_id, p.email))

    @post("/totp/confirm", status_code=200, opt={ALSO_ANSWERS: (409,)})
    async def confirm_totp(
        self, data: JSONBody[TotpConfirmIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], settings: NamedDependency[Settings],
    ) -> RecoveryCodesOut:
        """Turn two-factor sign-in on with the first code of the app; the answer holds ten
        single-use recovery codes, shown only here."""
        codes = await totp.confirm(db, settings, _person(principal).user_id, data.code)
        return RecoveryCodesOut(codes)

    @delete("/", status_code=204, opt={ALSO_ANSWERS: (409, 429)})
    async def turn_off(
        self, request: Request, data: JSONBody[TwoFactorOffIn],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> None:
        """Turn two-factor sign-in off (or cancel a pending enrolment), given your current
        password or a current code. The recovery codes are deleted."""
        p = _person(principal)
        await _guard_proof(request, settings, p)
        await totp.turn_off(db, settings, p.user_id, password=data.password, code=data.code)

    @post("/recovery-codes", status_code=200, opt={ALSO_ANSWERS: (409, 429)})
    async def renew_recovery_codes(
        self, request: Request, data: JSONBody[CodeIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], settings: NamedDependency[Settings],
    ) -> RecoveryCodesOut:
        """Ten new recovery codes (a current code of the app is required); the old ones
        stop working."""
        p = _person(principal)
        await _guard_proof(request, settings, p)
        return RecoveryCodesOut(await totp.renew_codes(db, settings, p.user_id, data.code))


def _caller(request: Request, settings: Settings) -> second_step.Caller:
    return second_step.Caller(
        client_address(request, settings), request.headers.get("user-agent", "")
    )


class SecondStepController(Controller):
    """The login's second step, for the challenge of a 401 ``second-factor-required``."""

    path = "/api/v1/auth/login/2fa"
    tags = ["account"]

    @post("/", opt={**PUBLIC, ALSO_ANSWERS: (401, 409, 429)}, status_code=200)
    async def second_step(
        self, data: JSONBody[SecondStepIn], request: Request,
        settings: NamedDependency[Settings],
    ) -> Response[SecondStepOut]:
        """Finish a sign-in with a code of the authenticator app or a recovery code: the
        bearer token and session cookie, as the login gives. 401 for a wrong or reused
        code and for an expired, used or unknown challenge (the detail names which);
        counted by the login throttle (429)."""
        done = await second_step.complete(
            request.app.state.sessionmaker, settings, token=data.challenge, code=data.code,
            recovery_code=data.recovery_code, caller=_caller(request, settings),
        )
        cookie = Cookie(
            key=SESSION_COOKIE, value=done.token, httponly=True, secure=settings.production,
            samesite="lax", max_age=settings.access_token_ttl, path="/",
        )
        body = SecondStepOut(done.token, "bearer", settings.access_token_ttl, done.claims.csrf,
                             done.recovery_codes)
        return Response(body, cookies=[cookie])

    @post("/enrolment", opt={**PUBLIC, ALSO_ANSWERS: (401, 409, 429)}, status_code=201)
    async def enrol(
        self, data: JSONBody[ChallengeIn], request: Request,
        settings: NamedDependency[Settings],
    ) -> TotpEnrolmentOut:
        """For an ``enrol`` challenge (the organization requires two-factor sign-in and you
        have none): the authenticator to set up. Its first code, sent to
        ``POST /auth/login/2fa``, turns it on and signs you in."""
        await guard_request(request, settings, "2fa-enrolment")
        return _enrolment_out(
            await second_step.enrol(request.app.state.sessionmaker, settings, data.challenge)
        )


class PolicyController(Controller):
    path = "/api/v1/auth/policy"
    tags = ["account"]

    @get("/")
    async def read_two_factor_policy(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession]
    ) -> PolicyOut:
        """Whom this organization requires two-factor sign-in of: ``off``, ``admins``
        (owners and admins) or ``everyone``."""
        require, at = await read_policy(db, principal.tenant_id)
        return PolicyOut(require.value, at)

    @put("/", opt={ALSO_ANSWERS: (409,)})
    async def set_two_factor_policy(
        self, data: JSONBody[PolicyIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> PolicyOut:
        """Set the policy (owners and admins; you must have two-factor sign-in on to require
        it of your own role: 409). The sessions here of members it now covers who have no
        authenticator end at once; their next sign-in asks them to enrol. Sign-ins through
        the organization's single sign-on are not asked (docs/auth.md)."""
        principal.require_manager()
        require = Require(data.require_2fa)
        before = await set_policy(
            db, principal.tenant_id, require, by=principal.user_id, by_role=principal.role
        )
        await record(db, principal, "update", "two_factor_policy", principal.tenant_id,
                     changes={"require_2fa": [before.value, require.value]})
        require, at = await read_policy(db, principal.tenant_id)
        return PolicyOut(require.value, at)
