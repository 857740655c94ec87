"""Forgotten password: ask for a link (same answer for every address), then choose a new
password with it (``/reset-password?token=…``, the link the e-mail carries)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.background_tasks import BackgroundTask
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
from rapport.tenancy import credentials
from rapport.tenancy.controllers import guard_request

PUBLIC = {"exclude_from_auth": True}


def _screen(request: Request, template: str, title: str, context: dict[str, Any],
            status: int = 200) -> Response[str]:
    token, cookie = form_token(request)
    chrome_of(request).csrf = token
    screen = Screen(f"console/account/{template}", title, context, status=status)
    return screen_response(request, screen, cookies=[cookie] if cookie else [])


@get("/forgot-password", opt=PUBLIC)
async def forgot_page(request: Request) -> Response[str]:
    return _screen(request, "forgot_password.html", "Reset your password", {"sent": False})


@post("/forgot-password", opt=PUBLIC, status_code=200)
async def forgot(request: Request, settings: NamedDependency[Settings]) -> Response[str]:
    form = await check_form_token(request)
    maker = request.app.state.sessionmaker
    await guard_request(request, settings, "password-reset")
    email = str(form.get("email", "")).strip()
    response = _screen(request, "forgot_password.html", "Reset your password", {"sent": True})
    if email:
        response.background = BackgroundTask(credentials.send_reset_link, maker, settings, email)
    return response


@get("/reset-password", opt=PUBLIC)
async def reset_page(request: Request, token: FromQuery[str] = "") -> Response[str]:
    return _screen(request, "reset_password.html", "Choose a new password",
                   {"token": token, "errors": {}})


@post("/reset-password", opt=PUBLIC, status_code=200)
async def reset(
    request: Request, public_db: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
) -> Response[str]:
    form = await check_form_token(request)
    token = str(form.get("token", ""))
    await guard_request(request, settings, "password-reset-confirm")
    try:
        await credentials.reset_password(
            public_db, token=token, password=str(form.get("password", ""))
        )
    except RapportError as exc:
        if exc.status >= 500:
            raise
        return _screen(request, "reset_password.html", "Choose a new password",
                       {"token": token, "errors": field_errors(exc)}, status=exc.status)
    return redirect(request, "/sign-in?reset=1")
