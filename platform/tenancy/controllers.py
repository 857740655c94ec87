"""HTTP doors of tenancy: sign-up, login, me, members, invitations."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.hooks import PluginRegistry
from rapport.settings import Settings
from rapport.tenancy import invitations, members
from rapport.tenancy.login import log_in
from rapport.tenancy.principal import Principal
from rapport.tenancy.schemas import (
    AcceptInvitationIn,
    LoginIn,
    MemberIn,
    MemberList,
    MemberOut,
    MemberPatch,
    MeOut,
    MeUser,
    SignupIn,
    SignupOut,
    TenantOut,
    TokenOut,
    UserOut,
)
from rapport.tenancy.signup import sign_up
from rapport.tenancy.tokens import SESSION_COOKIE, issue_access_token


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


PUBLIC = {"exclude_from_auth": True}


def member_out(m: members.Member, invitation_url: str | None = None) -> MemberOut:
    return MemberOut(
        id=m.membership.id,
        user_id=m.user.id,
        email=m.user.email,
        full_name=m.user.full_name,
        role=m.membership.role,
        pending=m.user.password_hash is None,
        created_at=m.membership.created_at,
        invitation_url=invitation_url,
    )


class AccountController(Controller):
    path = "/api/v1"
    tags = ["account"]

    @post("/signup", opt=PUBLIC, status_code=201)
    async def signup(
        self, data: JSONBody[SignupIn], public_db: NamedDependency[AsyncSession]
    ) -> SignupOut:
        """Create an organization (tenant) and its first owner."""
        result = await sign_up(
            public_db,
            org_name=data.organization.name,
            slug=data.organization.slug,
            email=data.admin.email,
            password=data.admin.password,
            full_name=data.admin.full_name,
        )
        t, u = result.tenant, result.user
        return SignupOut(TenantOut(t.id, t.slug, t.name), UserOut(u.id, u.email))

    @post("/auth/login", opt=PUBLIC, status_code=200)
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
        )
        token, claims = issue_access_token(
            settings.secret_key,
            user_id=ok.user_id,
            tenant_id=ok.tenant_id,
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
    async def logout(self) -> Response[None]:
        """Forget the browser session cookie."""
        return Response(
            None,
            status_code=204,
            cookies=[Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")],
        )

    @get("/me")
    async def me(self, principal: NamedDependency[Principal]) -> MeOut:
        """The calling user, their tenant and role."""
        p = principal
        return MeOut(
            MeUser(p.user_id, p.email, p.full_name),
            TenantOut(p.tenant_id, p.tenant_slug, p.tenant_name),
            p.role,
        )

    @post("/invitations/accept", opt=PUBLIC, status_code=200)
    async def accept(
        self, data: JSONBody[AcceptInvitationIn], public_db: NamedDependency[AsyncSession]
    ) -> UserOut:
        """Set the first password of an invited member."""
        user = await invitations.accept_invitation(
            public_db, slug=data.tenant, token=data.token, password=data.password
        )
        return UserOut(user.id, user.email)


class MemberController(Controller):
    path = "/api/v1/members"
    tags = ["members"]

    @get("/")
    async def list_members(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession]
    ) -> MemberList:
        """Everyone in this tenant with their role."""
        return MemberList([member_out(m) for m in await members.list_members(db, principal)])

    @post("/", status_code=201)
    async def add_member(
        self,
        data: JSONBody[MemberIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
        registry: NamedDependency[PluginRegistry],
    ) -> MemberOut:
        """Add a person: an existing user keeps their password; a new one gets an invitation
        link unless an initial password is given. Owners and admins only."""
        added = await members.add_member(
            db,
            principal,
            extra_roles=plugin_roles(registry, principal),
            email=data.email,
            full_name=data.full_name,
            role=data.role,
            password=data.password,
            invitation_ttl=settings.invitation_ttl,
        )
        url = None
        if added.invitation_token:
            query = urlencode({"tenant": principal.tenant_slug, "token": added.invitation_token})
            url = f"{settings.base_url}/invite?{query}"
        return member_out(added.member, url)

    @patch("/{member_id:uuid}")
    async def change_role(
        self,
        member_id: FromPath[uuid.UUID],
        data: JSONBody[MemberPatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        registry: NamedDependency[PluginRegistry],
    ) -> MemberOut:
        """Change a member's role. The last owner cannot be demoted."""
        roles = plugin_roles(registry, principal)
        return member_out(await members.change_role(db, principal, member_id, data.role, roles))

    @delete("/{member_id:uuid}", status_code=204)
    async def remove_member(
        self,
        member_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """Remove a member from this tenant (their account stays)."""
        await members.remove_member(db, principal, member_id)
