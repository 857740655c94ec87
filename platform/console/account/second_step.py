"""The sign-in page's second step: a code of the authenticator app or a recovery code, or,
when the organization requires two-factor sign-in of someone who has none, setting up the
app right there (QR code and key) — ``rapport.tenancy.second_step``, the API's service."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, post
from litestar.di import NamedDependency

from rapport.console.account.session import session_cookies
from rapport.console.forms import field_errors
from rapport.console.guards import check_form_token, form_token, redirect, safe_next
from rapport.console.rendering import screen_response
from rapport.errors import RapportError
from rapport.hooks import Screen
from rapport.settings import Settings
from rapport.tenancy import second_step
from rapport.tenancy.challenges import SecondFactorRequired
from rapport.tenancy.controllers import client_address
from rapport.tenancy.two_factor_policy import SecondStep

PUBLIC = {"exclude_from_auth": True}
PATH = "/sign-in/second-step"


async def step_screen(
    request: Request, settings: Settings, values: dict[str, Any], *,
    errors: dict[str, str] | None = None, status: int = 200,
) -> Response[str]:
    """The second step's form for ``values["challenge"]`` (and its kind)."""
    token, cookie = form_token(request)
    request.state["console_chrome"].csrf = token
    enrolment = None
    if values["kind"] == SecondStep.ENROL:
        enrolment = await second_step.enrol(
            request.app.state.sessionmaker, settings, values["challenge"]
        )
    screen = Screen(
        "console/account/second_step.html", "Two-factor sign-in",
        {"values": values, "errors": errors or {}, "enrolment": enrolment}, status=status,
    )
    return screen_response(request, screen, cookies=[cookie] if cookie else [])


async def challenged(
    request: Request, settings: Settings, step: SecondFactorRequired, values: dict[str, Any]
) -> Response[str]:
    """The sign-in form's answer when the password was right and a second step is owed."""
    return await step_screen(
        request, settings, {**values, "challenge": step.token, "kind": step.kind.value}
    )


def _sign_in_again(values: dict[str, Any]) -> str:
    """Back to the password, when the challenge itself has ended (expired, used, too many
    wrong codes): a challenge cannot be renewed, only a new sign-in makes one."""
    query = urlencode({"tenant": values["tenant"], "email": values["email"],
                       "next": values["next"], "step_ended": "1"})
    return f"/sign-in?{query}"


@post(PATH, opt=PUBLIC, status_code=200)
async def answer_second_step(
    request: Request, settings: NamedDependency[Settings]
) -> Response[str]:
    form = await check_form_token(request)
    values = {
        "challenge": str(form.get("challenge", "")),
        "kind": SecondStep.ENROL.value if form.get("kind") == "enrol" else SecondStep.TOTP.value,
        "next": safe_next(str(form.get("next", ""))),
        "tenant": str(form.get("tenant", "")),
        "email": str(form.get("email", "")),
    }
    code = str(form.get("code", "")).strip() or None
    recovery = str(form.get("recovery_code", "")).strip() or None
    caller = second_step.Caller(
        client_address(request, settings), request.headers.get("user-agent", "")
    )
    try:
        done = await second_step.complete(
            request.app.state.sessionmaker, settings, token=values["challenge"], code=code,
            recovery_code=None if code else recovery, caller=caller,
        )
    except RapportError as exc:
        if exc.status not in (401, 409, 422, 429):
            raise
        if exc.status == 401 and "challenge" in exc.detail:
            return redirect(request, _sign_in_again(values))
        errors = field_errors(exc)
        if "body" in errors:
            errors = {"code": "Enter the code from your authenticator app"}
        if exc.status == 401:
            errors = {"recovery_code" if recovery and not code else "code": exc.detail}
        response = await step_screen(request, settings, values, errors=errors,
                                     status=exc.status)
        response.headers.update(exc.headers)
        return response
    cookies = session_cookies(settings, done.token, values["tenant"])
    if done.recovery_codes:
        # Turned on just now: the codes are shown once, before going on.
        screen = Screen("console/account/recovery_codes.html", "Recovery codes",
                        {"codes": done.recovery_codes, "next": values["next"]})
        return screen_response(request, screen, cookies=cookies)
    response = redirect(request, values["next"])
    response.cookies.extend(cookies)
    return response


PAGES = [answer_second_step]
