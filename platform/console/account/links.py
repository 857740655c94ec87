"""The pages the account e-mails link to: accepting an invitation (``/invite?tenant=&token=``)
and confirming an address (``/verify-email?token=``). Following a link only shows a form;
the change happens on a deliberate post, so mail scanners that open links change nothing."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.chrome import chrome_of
from rapport.console.forms import field_errors
from rapport.console.guards import check_form_token, form_token, redirect
from rapport.console.rendering import screen_response
from rapport.errors import RapportError
from rapport.hooks import Screen
from rapport.settings import Settings
from rapport.tenancy import credentials, invitations
from rapport.tenancy.controllers import guard_request

PUBLIC = {"exclude_from_auth": True}


def _screen(request: Request, template: str, title: str, context: dict[str, Any],
            status: int = 200) -> Response[str]:
    token, cookie = form_token(request)
    chrome_of(request).csrf = token
    screen = Screen(f"console/account/{template}", title, context, status=status)
    return screen_response(request, screen, cookies=[cookie] if cookie else [])


@get("/invite", opt=PUBLIC)
async def invite_page(
    request: Request, tenant: FromQuery[str] = "", token: FromQuery[str] = ""
) -> Response[str]:
    return _screen(request, "invite.html", "Join your team",
                   {"tenant": tenant, "token": token, "errors": {}, "full_name": ""})


@post("/invite", opt=PUBLIC, status_code=200)
async def accept(
    request: Request, public_db: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
) -> Response[str]:
    form = await check_form_token(request)
    tenant, token = str(form.get("tenant", "")), str(form.get("token", ""))
    full_name = str(form.get("full_name", "")).strip()
    await guard_request(request, settings, "invitation")
    try:
        user = await invitations.accept_invitation(
            public_db, slug=tenant, token=token, password=str(form.get("password", "")),
            full_name=full_name or None,
        )
    except RapportError as exc:
        if exc.status >= 500:
            raise
        context = {"tenant": tenant, "token": token, "errors": field_errors(exc),
                   "full_name": full_name}
        return _screen(request, "invite.html", "Join your team", context, status=exc.status)
    return redirect(request, f"/sign-in?tenant={tenant}&email={user.email}&joined=1")


@get("/verify-email", opt=PUBLIC)
async def verify_page(request: Request, token: FromQuery[str] = "") -> Response[str]:
    return _screen(request, "verify_email.html", "Confirm your address",
                   {"token": token, "errors": {}})


@post("/verify-email", opt=PUBLIC, status_code=200)
async def verify(
    request: Request, public_db: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
) -> Response[str]:
    form = await check_form_token(request)
    token = str(form.get("token", ""))
    await guard_request(request, settings, "verify-email")
    try:
        await credentials.verify_email(public_db, token=token)
    except RapportError as exc:
        if exc.status >= 500:
            raise
        return _screen(request, "verify_email.html", "Confirm your address",
                       {"token": token, "errors": field_errors(exc)}, status=exc.status)
    return redirect(request, "/sign-in?verified=1")
