"""Who may see a console page, and what a person sees when something goes wrong.

Authentication is the app's (``rapport.web.auth``: the session cookie, and the CSRF token
as a header for htmx or as the ``_csrf`` field for plain forms). Here its refusals and every
other error become pages: a missing or ended session redirects to ``/sign-in`` (htmx gets
``HX-Redirect``); other errors render the error page in the member's language, with the
status and the logging the API's handlers decide.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.enums import MediaType
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware._internal.exceptions.middleware import get_exception_handler

from rapport.console.chrome import FORM_COOKIE, allowed
from rapport.console.i18n import N_
from rapport.console.rendering import html
from rapport.errors import RapportError, forbidden
from rapport.hooks import Fragment, Screen
from rapport.web.auth import CSRF_FIELD
from rapport.web.problems import HANDLERS

SIGN_IN = "/sign-in"
ROLES_OPT = "console_roles"


def safe_next(target: str | None) -> str:
    """A same-site path to return to after sign-in; anything else goes home."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def redirect(request: Request, target: str, status: int = 303) -> Response[str]:
    """A redirect that htmx follows as a full page load (``HX-Redirect``)."""
    if request.headers.get("hx-request") == "true":
        return Response("", status_code=200, headers={"HX-Redirect": target})
    return Response("", status_code=status, headers={"Location": target})


def _detail(status: int, response: Response[Any]) -> str | None:
    content = response.content
    if status < 500 and isinstance(content, dict):
        return str(content.get("detail") or "") or None
    return None


def on_error(request: Request, exc: Exception) -> Response[Any]:
    """Router exception handler of every console page."""
    status = getattr(exc, "status", None) or getattr(exc, "status_code", None) or 500
    if status == 401:
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return redirect(request, f"{SIGN_IN}?next={quote(safe_next(back))}")
    handler = get_exception_handler(HANDLERS, exc)  # logs the unexpected, as for the API
    answer: Response[Any] = handler(request, exc) if handler else Response({}, status_code=500)
    status = answer.status_code or 500
    context = {"status": status, "detail": _detail(status, answer)}
    if request.headers.get("hx-request") == "true":
        # htmx swaps only 2xx answers: show the message in the page's alert area instead.
        body = html(request, Fragment("console/error_alert.html", context))
        return Response(
            body, status_code=200, media_type=MediaType.HTML,
            headers={"HX-Retarget": "#alerts", "HX-Reswap": "innerHTML"},
        )
    title = N_("Page not found") if status == 404 else N_("Something went wrong")
    return Response(
        html(request, Screen("console/error.html", title, context, status=status)),
        status_code=status, media_type=MediaType.HTML,
    )


async def role_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Pages declared with ``page_roles`` refuse other members (403). A coroutine: a plain
    function guard would run in Litestar's thread pool (``rapport.web.plugins``)."""
    roles = handler.opt.get(ROLES_OPT)
    if roles is not None and not allowed(roles, connection.scope.get("user")):
        raise forbidden("Your role cannot open this page")


# ----------------------------------------------------------- forms before sign-in
# Sign-in, sign-up and the account links have no session to bind a CSRF token to: their
# forms carry a random token also kept in a strict cookie (double submit), so another site
# cannot post them in a visitor's name (e.g. sign a victim into the attacker's account).


def form_token(request: Request) -> tuple[str, Cookie | None]:
    """The visitor's form token, and the cookie to set when it is new."""
    token = request.cookies.get(FORM_COOKIE)
    if token:
        return token, None
    token = secrets.token_urlsafe(24)
    cookie = Cookie(
        key=FORM_COOKIE, value=token, httponly=True, samesite="strict", path="/",
        secure=request.app.state.settings.production,
    )
    return token, cookie


async def check_form_token(request: Request) -> dict[str, Any]:
    """The posted form, once its token matched the visitor's cookie."""
    form = await request.form()
    sent = form.get(CSRF_FIELD, "")
    kept = request.cookies.get(FORM_COOKIE, "")
    if not (kept and isinstance(sent, str) and hmac.compare_digest(sent, kept)):
        raise RapportError(N_("The form expired; please try again"), status=400) from None
    return {key: value for key, value in form.items() if key != CSRF_FIELD}


__all__ = [
    "SIGN_IN",
    "check_form_token",
    "form_token",
    "on_error",
    "redirect",
    "role_guard",
    "safe_next",
]
