"""HTTP doors of single sign-on: the tenant's settings (owners and admins) and the public
start and callback of a sign-in."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, delete, get, post, put
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.errors import ALSO_ANSWERS, RapportError
from rapport.settings import Settings
from rapport.tenancy.controllers import client_address
from rapport.tenancy.principal import Principal
from rapport.tenancy.sso import config, flow
from rapport.tenancy.sso.schemas import SsoIn, SsoOut, SsoTestOut
from rapport.tenancy.tokens import SESSION_COOKIE

PUBLIC = {"exclude_from_auth": True}
# 404: no SSO for that organization; 400: a state unknown, used, late or from another
# browser, or the provider's refusal; 401: the ID token failed a check; 403: the accounts
# rule or the domain rule refused the person; 409: their account was created a moment ago;
# 502: the provider could not be reached or answered something malformed.
START = {**PUBLIC, ALSO_ANSWERS: (404, 502)}
CALLBACK = {**PUBLIC, ALSO_ANSWERS: (401, 403, 404, 409, 502)}
SIGN_IN_PAGE = "/sign-in"


def _wants_page(request: Request) -> bool:
    """A browser navigating (it asks for HTML first), not an API client."""
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept.split(",")[0]


def _to_sign_in(slug: str, error: RapportError) -> Redirect:
    """The refusal for a person in a browser: the sign-in page says it in their language."""
    reason = str(error.extra.get("reason") or ("provider" if error.status == 502 else "token"))
    query = urlencode({"org": slug, "sso_error": reason})
    return Redirect(f"{SIGN_IN_PAGE}?{query}", status_code=303)


class SsoSettingsController(Controller):
    path = "/api/v1/auth/sso"
    tags = ["single sign-on"]

    @get("", opt={ALSO_ANSWERS: (404,)})
    async def read_settings(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        settings: NamedDependency[Settings],
    ) -> SsoOut:
        """The organization's single sign-on settings (owners and admins). The client
        secret is never shown, only whether one is set; ``redirect_uri`` is what to register
        at the provider."""
        row = await config.settings_of(db, principal)
        return config.shown(row, settings, principal.tenant_slug)

    @put("")
    async def replace_settings(
        self, data: JSONBody[SsoIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], settings: NamedDependency[Settings],
    ) -> SsoOut:
        """Set up or change single sign-on (owners and admins). Leave ``client_secret`` out
        to keep the stored one. ``require_sso`` refuses password sign-in to everyone but
        owners."""
        row = await config.replace(db, principal, data, settings)
        return config.shown(row, settings, principal.tenant_slug)

    @delete("", status_code=204, opt={ALSO_ANSWERS: (404,)})
    async def remove_settings(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    ) -> None:
        """Switch single sign-on off (owners and admins): passwords work again for all."""
        await config.remove(db, principal)

    @post("/test", status_code=200, opt={ALSO_ANSWERS: (404, 502)})
    async def test_settings(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    ) -> SsoTestOut:
        """Test connection: fetch the saved provider's discovery document and signing keys
        afresh and check them. An unreachable provider or malformed metadata is a 502 naming
        what failed."""
        return await config.test_connection(db, principal)


class SsoSignInController(Controller):
    path = "/api/v1/auth/sso/{tenant:str}"
    tags = ["single sign-on"]

    @get("/start", opt=START, status_code=302, responses={302: ResponseSpec(
        None, description="Redirect to the provider's authorization endpoint (Location), "
        "with the cookie binding the sign-in to this browser")})
    async def start(
        self, tenant: FromPath[str], request: Request, settings: NamedDependency[Settings],
        next_path: Annotated[str | None, QueryParameter(max_length=500)] = None,
    ) -> Response[Any]:
        """Begin signing in to the organization ``tenant`` (its slug) with its identity
        provider: a 302 to the provider with state, nonce and PKCE (S256), and a cookie
        binding the sign-in to this browser. ``next_path``: a path of this site to land on."""
        # Not throttled per address: a whole office behind one address signs in at once,
        # and the provider rate-limits the authentication itself. A start writes one small
        # row that lives ten minutes (expired ones are purged by the next start).
        try:
            started = await flow.start(request.app.state.sessionmaker, settings, slug=tenant,
                                       next_path=next_path)
        except RapportError as error:
            if _wants_page(request):
                return _to_sign_in(tenant, error)
            raise
        cookie = Cookie(key=flow.BROWSER_COOKIE, value=started.browser_secret, httponly=True,
                        secure=settings.production, samesite="lax",
                        max_age=int(flow.LOGIN_TTL.total_seconds()), path=flow.COOKIE_PATH)
        return Redirect(started.authorization_url, status_code=302, cookies=[cookie])

    @get("/callback", opt=CALLBACK, status_code=303, responses={303: ResponseSpec(
        None, description="Signed in: redirect to the console (Location) with the session "
        "cookie; for a browser a refusal too, to the sign-in page saying why")})
    async def callback(
        self, tenant: FromPath[str], request: Request, settings: NamedDependency[Settings],
        code: Annotated[str | None, QueryParameter(max_length=2000)] = None,
        oidc_state: Annotated[str | None, QueryParameter(name="state", max_length=200)] = None,
        error: Annotated[str | None, QueryParameter(max_length=200)] = None,
    ) -> Response[Any]:
        """Where the provider sends the person back: the code is exchanged, the ID token
        checked (signature, issuer, audience, nonce, expiry, a confirmed e-mail address in an
        allowed domain) and the person signed in to this organization only: a 303 to the
        console with the session cookie. A refusal is a problem document, or for a browser a
        303 to the sign-in page saying why."""
        query = {k: v for k, v in {"code": code, "state": oidc_state, "error": error}.items() if v}
        caller = flow.Caller(client_address(request, settings),
                             request.headers.get("user-agent", ""),
                             request.cookies.get(flow.BROWSER_COOKIE))
        try:
            done = await flow.finish(request.app.state.sessionmaker, settings, slug=tenant,
                                     query=query, caller=caller)
        except RapportError as refusal:
            if _wants_page(request):
                return _to_sign_in(tenant, refusal)
            raise
        cookies = [
            Cookie(key=SESSION_COOKIE, value=done.token, httponly=True,
                   secure=settings.production, samesite="lax",
                   max_age=settings.access_token_ttl, path="/"),
            Cookie(key=flow.BROWSER_COOKIE, value="", max_age=0, path=flow.COOKIE_PATH),
        ]
        return Redirect(done.next_path, status_code=303, cookies=cookies)
