"""Signing a person in from the console: the same services as ``POST /api/v1/auth/login``
(throttled check, a session row, a signed token) ending in the same cookie."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import Cookie

from rapport.db.session import tenant_session
from rapport.settings import Settings
from rapport.tenancy.controllers import client_address
from rapport.tenancy.login import log_in
from rapport.tenancy.second_step import Caller, challenge
from rapport.tenancy.sessions import open_session
from rapport.tenancy.sign_ins import record_sign_in
from rapport.tenancy.tokens import SESSION_COOKIE, issue_access_token

# Remembered on the device so the sign-in form can offer the last organization.
LAST_ORGANIZATION = "rapport_org"


async def start_session(
    request: Request, settings: Settings, *, slug: str, email: str, password: str
) -> list[Cookie]:
    """The cookies of a new session, or the login's 401 (same words for every wrong), or
    the challenge of a second step (``SecondFactorRequired``, a 401 too)."""
    address = client_address(request, settings)
    maker = request.app.state.sessionmaker
    ok = await log_in(maker, settings, slug=slug, email=email, password=password, address=address,
                      user_agent=request.headers.get("user-agent"))
    if ok.second_step is not None:
        raise await challenge(
            maker, settings, ok, Caller(address, request.headers.get("user-agent", ""))
        )
    async with tenant_session(maker, ok.tenant_id) as session:
        opened = await open_session(
            session, tenant_id=ok.tenant_id, user_id=ok.user_id, ttl=settings.access_token_ttl,
            user_agent=request.headers.get("user-agent", ""), address=address,
        )
        await record_sign_in(
            session, tenant_id=ok.tenant_id, user_id=ok.user_id, client_id=None,
            method="password", outcome="success", address=address,
            user_agent=request.headers.get("user-agent"),
        )
    token, _ = issue_access_token(
        settings.secret_key, user_id=ok.user_id, tenant_id=ok.tenant_id, session_id=opened.id,
        ttl=settings.access_token_ttl,
    )
    return session_cookies(settings, token, slug)


def session_cookies(settings: Settings, token: str, slug: str) -> list[Cookie]:
    """The session cookie of ``token`` and the organization remembered on the device."""
    secure = settings.production
    return [
        Cookie(key=SESSION_COOKIE, value=token, httponly=True, secure=secure, samesite="lax",
               max_age=settings.access_token_ttl, path="/"),
        Cookie(key=LAST_ORGANIZATION, value=slug, httponly=True, secure=secure, samesite="lax",
               max_age=400 * 86400, path="/"),
    ]


def end_cookie() -> Cookie:
    return Cookie(key=SESSION_COOKIE, value="", max_age=0, path="/")
