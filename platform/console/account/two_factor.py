"""My two-factor sign-in, on the security page: set up an authenticator app (QR code and
the key to type by hand, then its first code), see the recovery codes once (download or
print), renew them, turn it off — ``rapport.tenancy.totp``, the API's service."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.account.security import PATH as SECURITY
from rapport.console.account.security import security_screen
from rapport.console.forms import field_errors
from rapport.console.guards import redirect
from rapport.console.rendering import screen_response
from rapport.errors import RapportError
from rapport.hooks import Screen
from rapport.settings import Settings
from rapport.tenancy import totp
from rapport.tenancy.principal import Principal
from rapport.tenancy.throttle import guard_public_action
from rapport.tenancy.two_factor_controllers import PROOF_ACTION

PATH = SECURITY + "/2fa"


def _enrol_screen(request: Request, enrolment: totp.Enrolment, *,
                  errors: dict[str, str] | None = None, status: int = 200) -> Response[str]:
    return screen_response(request, Screen(
        "console/account/two_factor_enrol.html", "Set up two-factor sign-in",
        {"enrolment": enrolment, "errors": errors or {}}, status=status))


def _codes_screen(request: Request, codes: list[str]) -> Response[str]:
    return screen_response(request, Screen(
        "console/account/recovery_codes.html", "Recovery codes",
        {"codes": codes, "next": SECURITY}))


def _renamed(errors: dict[str, str], names: dict[str, str]) -> dict[str, str]:
    """The service's field names as this page's form fields (two forms ask for a code)."""
    return {names.get(k, k): v for k, v in errors.items()}


@post(PATH + "/start", status_code=200)
async def start_two_factor(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
) -> Response[str]:
    """A new authenticator to set up (a pending one is replaced)."""
    return _enrol_screen(request, await totp.start(db, settings, principal.user_id,
                                                   principal.email))


@get(PATH)
async def pending_two_factor(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
) -> Response[str]:
    """The set-up still waiting for its first code (the page reloaded); else the security
    page."""
    waiting = await totp.pending(db, settings, principal.user_id, principal.email)
    if waiting is None:
        return redirect(request, SECURITY)
    return _enrol_screen(request, waiting)


@post(PATH + "/confirm", status_code=200)
async def confirm_two_factor(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
) -> Response[str]:
    form = await request.form()
    try:
        codes = await totp.confirm(db, settings, principal.user_id, str(form.get("code", "")))
    except RapportError as exc:
        if exc.status not in (409, 422):
            raise
        waiting = await totp.pending(db, settings, principal.user_id, principal.email)
        if waiting is None:
            return redirect(request, SECURITY)
        return _enrol_screen(request, waiting, errors=field_errors(exc), status=exc.status)
    return _codes_screen(request, codes)


async def _guard(request: Request, settings: Settings, principal: Principal) -> None:
    await guard_public_action(request.app.state.sessionmaker, settings, action=PROOF_ACTION,
                              address=f"user:{principal.user_id}")


@post(PATH + "/off", status_code=200)
async def turn_off_two_factor(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
) -> Response[str]:
    form = await request.form()
    password = str(form.get("off_password", "")) or None
    code = str(form.get("off_code", "")).strip() or None
    try:
        await _guard(request, settings, principal)
        await totp.turn_off(db, settings, principal.user_id,
                            password=None if code else password, code=code)
    except RapportError as exc:
        if exc.status not in (409, 422, 429):
            raise
        errors = _renamed(field_errors(exc), {"password": "off_password", "code": "off_code",
                                              "body": "off_password"})
        return await security_screen(request, db, principal, errors=errors, status=exc.status)
    return redirect(request, SECURITY + "?two_factor=off")


@post(PATH + "/recovery-codes", status_code=200)
async def renew_recovery_codes(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    settings: NamedDependency[Settings],
) -> Response[str]:
    form = await request.form()
    try:
        await _guard(request, settings, principal)
        codes = await totp.renew_codes(db, settings, principal.user_id,
                                       str(form.get("renew_code", "")))
    except RapportError as exc:
        if exc.status not in (409, 422, 429):
            raise
        errors: dict[str, Any] = _renamed(field_errors(exc), {"code": "renew_code"})
        return await security_screen(request, db, principal, errors=errors, status=exc.status)
    return _codes_screen(request, codes)


PAGES = [start_two_factor, pending_two_factor, confirm_two_factor, turn_off_two_factor,
         renew_recovery_codes]
