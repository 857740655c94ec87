"""The language picker before sign-in: remembered on the device (a cookie); a member's own
choice is stored with them (settings.py)."""

from __future__ import annotations

from litestar import Request, Response, post
from litestar.datastructures import Cookie

from rapport.console.chrome import LANGUAGE_COOKIE
from rapport.console.guards import check_form_token, redirect, safe_next
from rapport.console.i18n import supported

PUBLIC = {"exclude_from_auth": True}


@post("/language", opt=PUBLIC, status_code=200)
async def choose_language(request: Request) -> Response[str]:
    form = await check_form_token(request)
    lang = supported(str(form.get("language", "")))
    response = redirect(request, safe_next(str(form.get("next", ""))))
    if lang:
        response.cookies.append(Cookie(
            key=LANGUAGE_COOKIE, value=lang, max_age=400 * 86400, path="/", samesite="lax",
            httponly=True, secure=request.app.state.settings.production,
        ))
    return response
