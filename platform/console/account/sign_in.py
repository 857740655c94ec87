"""Sign in (to one organization: tokens are per tenant) and sign out."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.account.second_step import challenged
from rapport.console.account.session import LAST_ORGANIZATION, end_cookie, start_session
from rapport.console.account.sso import sso_offer
from rapport.console.forms import field_errors
from rapport.console.guards import check_form_token, form_token, redirect, safe_next
from rapport.console.rendering import screen_response
from rapport.errors import RapportError
from rapport.hooks import Screen
from rapport.settings import Settings
from rapport.tenancy.challenges import SecondFactorRequired
from rapport.tenancy.principal import Principal
from rapport.tenancy.sessions import revoke_session
from rapport.tenancy.tokens import AccessClaims

PUBLIC = {"exclude_from_auth": True}
NOTICES = ("welcome", "joined", "reset", "signed_out", "verified", "step_ended")


def _screen(
    request: Request, values: dict[str, Any], errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response[str]:
    token, cookie = form_token(request)
    request.state["console_chrome"].csrf = token
    notice = next((n for n in NOTICES if request.query_params.get(n)), None)
    screen = Screen(
        "console/account/sign_in.html", "Sign in",
        {"values": values, "errors": errors or {}, "notice": notice}, status=status,
    )
    return screen_response(request, screen, cookies=[cookie] if cookie else [])


@get("/sign-in", opt=PUBLIC)
async def sign_in_page(request: Request) -> Response[str]:
    # ?org=slug: a link to this organization's sign-in (it offers its single sign-on).
    org = request.query_params.get("org", "").strip().lower()
    values: dict[str, Any] = {
        "tenant": request.query_params.get("tenant") or org
        or request.cookies.get(LAST_ORGANIZATION, ""),
        "email": request.query_params.get("email", ""),
        "next": safe_next(request.query_params.get("next")),
    }
    values["sso"] = await sso_offer(request, org or values["tenant"],
                                    request.query_params.get("sso_error"), asked=bool(org))
    return _screen(request, values)


@post("/sign-in", opt=PUBLIC, status_code=200)
async def sign_in(request: Request, settings: NamedDependency[Settings]) -> Response[str]:
    form = await check_form_token(request)
    values: dict[str, Any] = {
        "tenant": str(form.get("tenant", "")).strip().lower(),
        "email": str(form.get("email", "")).strip(),
        "next": safe_next(str(form.get("next", ""))),
    }
    try:
        cookies = await start_session(
            request, settings, slug=values["tenant"], email=values["email"],
            password=str(form.get("password", "")),
        )
    except SecondFactorRequired as step:
        return await challenged(request, settings, step, values)
    except RapportError as exc:
        if exc.status == 403 and "sso_start" in exc.extra:  # the organization requires SSO
            values["sso"] = await sso_offer(request, values["tenant"], "sso_required")
            return _screen(request, values, status=403)
        if exc.status not in (401, 422, 429):
            raise
        response = _screen(request, values, field_errors(exc), status=exc.status)
        response.headers.update(exc.headers)
        return response
    response = redirect(request, values["next"])
    response.cookies.extend(cookies)
    return response


@post("/sign-out", status_code=200)
async def sign_out(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession]
) -> Response[str]:
    """End this session (the token stops working at once) and forget the cookie."""
    claims: AccessClaims = request.auth
    await revoke_session(db, principal, claims.session_id)
    response = redirect(request, "/sign-in?signed_out=1")
    response.cookies.append(end_cookie())
    return response
