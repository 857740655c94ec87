"""My password and sessions: change the password (every session then ends, as the API's
``POST /auth/password`` does), see where I am signed in, end one session, or sign out
everywhere — ``rapport.tenancy.credentials`` and ``sessions``, the API's services."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.account.session import end_cookie
from rapport.console.forms import field_errors
from rapport.console.guards import redirect
from rapport.console.rendering import screen_response
from rapport.errors import RapportError
from rapport.hooks import Screen
from rapport.settings import Settings
from rapport.tenancy import credentials, sessions, sign_ins, totp
from rapport.tenancy.principal import Principal
from rapport.tenancy.sign_ins import RECENT as RECENT_SIGN_INS
from rapport.tenancy.sso_policy import end_sessions_here, opened_by_sso
from rapport.tenancy.throttle import guard_public_action
from rapport.tenancy.tokens import AccessClaims

PATH = "/account/security"


async def _page(request: Request, db: AsyncSession, principal: Principal, *,
                errors: dict[str, str] | None = None, status: int = 200) -> Response[str]:
    claims: AccessClaims = request.auth
    rows = await sessions.list_sessions(db, principal)
    context: dict[str, Any] = {
        "sessions": [{"row": r, "current": r.id == claims.session_id} for r in rows],
        "errors": errors or {}, "ended": request.query_params.get("ended") == "1",
        # Two-factor sign-in (rapport.console.account.two_factor posts its forms).
        "two_factor": await totp.status(db, principal.user_id),
        "two_factor_off": request.query_params.get("two_factor") == "off",
    }
    # Recent sign-ins (rapport.tenancy.sign_ins, as GET /me/sign-ins answers them).
    context["sign_ins"] = (await sign_ins.my_sign_ins(db, principal, cursor=None,
                                                      limit=RECENT_SIGN_INS)).items
    return screen_response(request, Screen("console/account/security.html",
                                           "Password and sessions", context, status=status))


@get(PATH)
async def security_page(request: Request, principal: NamedDependency[Principal],
                        db: NamedDependency[AsyncSession]) -> Response[str]:
    return await _page(request, db, principal)


@post(PATH + "/password", status_code=200)
async def change_password(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
) -> Response[str]:
    form = await request.form()
    try:
        # Throttled per person, as the API's door: a stolen session cannot guess freely.
        await guard_public_action(request.app.state.sessionmaker, settings,
                                  action="password-change", address=f"user:{principal.user_id}")
        await credentials.change_password(
            db, principal, current=str(form.get("current_password", "")),
            new=str(form.get("new_password", "")))
    except RapportError as exc:
        if exc.status not in (422, 429):
            raise
        return await _page(request, db, principal, errors=field_errors(exc), status=exc.status)
    response = redirect(request, "/sign-in?reset=1")
    response.cookies.append(end_cookie())
    return response


@post(PATH + "/sessions/{session_id:uuid}/end", status_code=200)
async def end_session(
    request: Request, session_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
) -> Response[str]:
    """One session (404 for anyone else's); ending this one signs out here."""
    claims: AccessClaims = request.auth
    await sessions.revoke_session(db, principal, session_id)
    if session_id == claims.session_id:
        response = redirect(request, "/sign-in?signed_out=1")
        response.cookies.append(end_cookie())
        return response
    return redirect(request, PATH + "?ended=1")


@post(PATH + "/sign-out-everywhere", status_code=200)
async def sign_out_everywhere(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
) -> Response[str]:
    """Every session of mine, in every organization (a lost phone, a shared computer); from
    a session single sign-on opened, in this organization only (docs/auth.md)."""
    claims: AccessClaims = request.auth
    if await opened_by_sso(db, principal.tenant_id, claims.session_id):
        await end_sessions_here(db, principal.tenant_id, principal.user_id)
    else:
        await sessions.revoke_everywhere(db, principal.user_id)
    response = redirect(request, "/sign-in?signed_out=1")
    response.cookies.append(end_cookie())
    return response


# The page with refusals beside its fields, for the two-factor forms it holds.
security_screen = _page

PAGES = [security_page, change_password, end_session, sign_out_everywhere]
