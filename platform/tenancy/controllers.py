"""HTTP doors of tenancy: sign-up, login, logout, me, invitation acceptance."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import JSONBody
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.db.session import tenant_session
from rapport.errors import ALSO_ANSWERS
from rapport.hooks import PluginRegistry
from rapport.mail import deliver
from rapport.settings import Settings
from rapport.tenancy import invitations
from rapport.tenancy.login import log_in
from rapport.tenancy.models import User
from rapport.tenancy.principal import Principal
from rapport.tenancy.schemas import (
    AcceptInvitationIn,
    LoginIn,
    MeOut,
    MeUser,
    SignupIn,
    SignupOut,
    TenantOut,
    TokenOut,
    UserOut,
)
from rapport.tenancy.second_step import Caller, challenge
from rapport.tenancy.sessions import open_session, revoke_session
from rapport.tenancy.sign_ins import record_sign_in
from rapport.tenancy.signup import sign_up
from rapport.tenancy.throttle import guard_public_action
from rapport.tenancy.tokens import SESSION_COOKIE, AccessClaims, issue_access_token


def plugin_roles(registry: PluginRegistry, principal: Principal) -> frozenset[str]:
    """Roles added by the plugins this tenant has enabled."""
    return frozenset(r.name for _, r in registry.declared("rapport_roles", principal.modules))


def client_address(request: Request, settings: Settings) -> str:
    """The caller's address; X-Forwarded-For only when the direct peer is a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded and peer in settings.trusted_proxies:
        return forwarded.split(",")[0].strip() or peer
    return peer


async def guard_request(request: Request, settings: Settings, action: str) -> None:
    """Count one attempt of a public ``action`` from the caller's address (429 past the
    limit): sign-up, invitation acceptance, reset and address confirmation, API and console."""
    await guard_public_action(
        request.app.state.sessionmaker, settings, action=action,
        address=client_address(request, settings),
    )


PUBLIC = {"exclude_from_auth": True}
# Throttled per address (429); a wrong password is a 401, an unknown or used link a 404.
SIGNUP = {**PUBLIC, ALSO_ANSWERS: (429,)}
# 403: the organization requires single sign-on and the person is not an owner.
LOGIN = {**PUBLIC, ALSO_ANSWERS: (401, 403, 429)}
ACCEPT = {**PUBLIC, ALSO_ANSWERS: (401, 404, 429)}


class AccountController(Controller):
    path = "/api/v1"
    tags = ["account"]

    @post("/signup", opt=SIGNUP, status_code=201)
    async def signup(
        self,
        data: JSONBody[SignupIn],
        request: Request,
        public_db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> Response[SignupOut]:
        """Create an organization (tenant) and its first owner. The answer is the same
        whether or not the address already has an account: a new person can log in at once
        (and gets a link to confirm the address); an existing account gets an e-mail asking
        them to confirm with their own password before the organization is theirs."""
        await guard_request(request, settings, "signup")
        result = await sign_up(
            public_db,
            org_name=data.organization.name,
            slug=data.organization.slug,
            email=data.admin.email,
            password=data.admin.password,
            full_name=data.admin.full_name,
            base_url=settings.base_url,
            invitation_ttl=settings.invitation_ttl,
            verification_ttl=settings.email_verification_ttl,
        )
        t, u = result.tenant, result.user
        return Response(
            SignupOut(TenantOut(t.id, t.slug, t.name), UserOut(u.id, u.email)),
            status_code=201,
            background=BackgroundTask(deliver, settings, result.letter),
        )

    @post("/auth/login", opt=LOGIN, status_code=200)
    async def login(
        self, data: JSONBody[LoginIn], request: Request, settings: NamedDependency[Settings]
    ) -> Response[TokenOut]:
        """Exchange credentials for a bearer token (and a session cookie for browsers)."""
        address = client_address(request, settings)
        ok = await log_in(
            request.app.state.sessionmaker,
            settings,
            slug=data.tenant.strip().lower(),
            email=data.email.strip(),
            password=data.password,
            address=address,
            user_agent=request.headers.get("user-agent"),
        )
        if ok.second_step is not None:
            # The password was right and a code (or an enrolment) is owed: the 401 carries
            # the challenge for POST /auth/login/2fa (docs/auth.md, "Two-factor sign-in").
            raise await challenge(
                request.app.state.sessionmaker, settings, ok,
                Caller(address, request.headers.get("user-agent", "")),
            )
        async with tenant_session(request.app.state.sessionmaker, ok.tenant_id) as session:
            opened = await open_session(
                session,
                tenant_id=ok.tenant_id,
                user_id=ok.user_id,
                ttl=settings.access_token_ttl,
                user_agent=request.headers.get("user-agent", ""),
                address=address,
            )
            await record_sign_in(
                session, tenant_id=ok.tenant_id, user_id=ok.user_id, client_id=None,
                method="password", outcome="success", address=address,
                user_agent=request.headers.get("user-agent"),
            )
        token, claims = issue_access_token(
            settings.secret_key,
            user_id=ok.user_id,
            tenant_id=ok.tenant_id,
            session_id=opened.id,
            ttl=settings.access_token_ttl,
        )
        cookie = Cookie(
            key=SESSION_COOKIE,
            value=token,
            httponly=True,
            secure=settings.production,
            samesite="lax",
            max_age=settings.access_token_ttl,
            path="/",
        )
        body = TokenOut(token, "bearer", settings.access_token_ttl, claims.csrf)
        return Response(body, cookies=[cookie])

    @post("/auth/logout", status_code=204)
    async def logout(
        self, request: Request, principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> Response[None]:
        """End this session: the bearer token (or cookie) stops working at once."""
        claims: AccessClaims = request.auth
        await revoke_session(db, principal, claims.session_id)
        return Response(
            None,
            status_code=204,
            cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")],
        )

    @get("/me")
    async def me(self, request: Request, principal: NamedDependency[Principal]) -> MeOut:
        """The calling user, their tenant and role."""
        # No ``db``: the principal query read everything /me answers, so the request needs
        # no ORM session (making one was a measurable share of this request's CPU).
        p = principal
        verified = p.email_verified
        if verified is None:  # authenticated some other way than the principal query
            async with tenant_session(request.app.state.sessionmaker, p.tenant_id,
                                      p.user_id) as db:
                verified = (await db.execute(
                    select(User.email_verified_at).where(User.id == p.user_id)
                )).scalar_one() is not None
        return MeOut(
            MeUser(p.user_id, p.email, p.full_name, email_verified=verified),
            TenantOut(p.tenant_id, p.tenant_slug, p.tenant_name),
            p.role,
        )

    @post("/invitations/accept", opt=ACCEPT, status_code=200)
    async def accept(
        self,
        data: JSONBody[AcceptInvitationIn],
        request: Request,
        public_db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> UserOut:
        """Accept an invitation (or confirm a sign-up made with an existing account's
        address) with the token from the e-mail: a person without a password chooses their
        first one; a person with one signs in with it."""
        await guard_request(request, settings, "invitation")
        user = await invitations.accept_invitation(
            public_db, slug=data.tenant, token=data.token, password=data.password,
            full_name=data.full_name,
        )
        return UserOut(user.id, user.email)
