"""Single sign-on in the console: Settings → Single sign-on (owners and admins) over the
API's services (``rapport.tenancy.sso.config``), and what the sign-in page offers when an
organization has SSO ("Sign in with <provider>", or why the last attempt was refused)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.forms import field_errors, parse
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.console.rendering import screen_response
from rapport.errors import RapportError
from rapport.hooks import Screen
from rapport.settings import Settings
from rapport.tenancy.principal import Principal
from rapport.tenancy.sso import config, flow
from rapport.tenancy.sso.schemas import SsoIn

PATH = "/settings/sso"
TITLE = N_("Single sign-on")
# Why a single sign-on was refused, by the API's ``reason`` (and "sso_required" when a
# password sign-in met an organization that requires SSO): what the sign-in page says.
REFUSALS = {
    "not_configured": N_("This organization has no single sign-on."),
    "state": N_("That sign-in was not finished in time, was already used or was started in "
                "another browser. Start again."),
    "provider_refused": N_("The identity provider did not sign you in. Start again."),
    "token": N_("The identity provider's answer could not be verified. Start again or ask "
                "your administrator."),
    "provider": N_("The identity provider cannot be reached right now. Try again later or "
                   "ask your administrator."),
    "email_missing": N_("The identity provider did not share your e-mail address."),
    "email_unverified": N_("The identity provider has not confirmed your e-mail address."),
    "domain": N_("Your e-mail address is not in a domain this organization allows."),
    "not_member": N_("You already have an account, but you are not a member of this "
                     "organization. Ask its administrator for an invitation."),
    "invitation_pending": N_("Accept the invitation e-mailed to you first, then sign in "
                             "with single sign-on."),
    "not_invited": N_("This organization lets only invited members sign in. Ask its "
                      "administrator for an invitation."),
    "retry": N_("Your account was just created. Sign in again."),
    "sso_required": N_("This organization requires single sign-on: only its owners may "
                       "sign in with a password."),
}
PROVISIONING = (("jit", N_("Create an account for anyone the provider signs in "
                           "(just in time)")),
                ("invited", N_("Only members who were invited")))
ROLES = (("member", N_("member")), ("viewer", N_("viewer")), ("admin", N_("admin")))


async def sso_offer(request: Request, slug: str, error: str | None,
                    asked: bool = False) -> dict[str, Any] | None:
    """What the sign-in page shows about SSO for the organization ``slug``: the button
    (when it has SSO) and the refusal named by ``error``; ``asked`` (an ``?org=`` link or
    the organization typed for SSO) also says when it has none."""
    if not slug and not error:
        return None
    name = start = None
    if slug:
        try:
            _, found = await flow.configured(request.app.state.sessionmaker, slug)
        except RapportError:
            found = None
        if found is not None:
            name = found.display_name
            start = f"/api/v1/auth/sso/{quote(slug, safe='')}/start"
            target = request.query_params.get("next")
            if target:
                start += "?" + urlencode({"next_path": flow.safe_next(target)})
    refusal = REFUSALS.get(error or "", REFUSALS["token"] if error else "")
    return {"name": name, "start": start, "error": refusal, "slug": slug, "asked": asked}


def _values(row: Any) -> dict[str, Any]:
    if row is None:
        return {"issuer": "", "client_id": "", "display_name": "", "allowed_domains": "",
                "provisioning": "invited", "default_role": "member", "require_sso": False}
    return {"issuer": row.issuer, "client_id": row.client_id,
            "display_name": row.display_name,
            "allowed_domains": " ".join(row.allowed_domains),
            "provisioning": row.provisioning, "default_role": row.default_role,
            "require_sso": row.require_sso}


async def _page(request: Request, db: AsyncSession, principal: Principal, settings: Settings,
                *, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
                tested: Any = None, status: int = 200) -> Response[str]:
    principal.require_manager()
    row = await config.read(db, principal.tenant_id)
    context = {
        "values": values or _values(row), "errors": errors or {}, "configured": row is not None,
        "secret_set": bool(row and row.client_secret), "tested": tested,
        "redirect_uri": config.redirect_uri(settings, principal.tenant_slug),
        "provisioning": PROVISIONING, "roles": ROLES,
        "saved": request.query_params.get("saved") == "1",
        "removed": request.query_params.get("removed") == "1",
    }
    return screen_response(request, Screen("console/account/sso_settings.html", TITLE, context,
                                           status=status))


@get(PATH)
async def sso_settings_page(request: Request, principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            settings: NamedDependency[Settings]) -> Response[str]:
    return await _page(request, db, principal, settings)


@post(PATH, status_code=200)
async def save_sso_settings(request: Request, principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            settings: NamedDependency[Settings]) -> Response[str]:
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in (
        "issuer", "client_id", "display_name", "allowed_domains", "provisioning",
        "default_role")}
    values["require_sso"] = form.get("require_sso") == "on"
    body: dict[str, Any] = {**values, "allowed_domains": [
        d.lower() for d in values["allowed_domains"].replace(",", " ").split() if d]}
    secret = str(form.get("client_secret", "")).strip()
    if secret:  # blank keeps the stored secret
        body["client_secret"] = secret
    try:
        async with db.begin_nested():
            await config.replace(db, principal, parse(body, SsoIn), settings)
    except RapportError as exc:
        if exc.status == 403:
            raise
        # allowed_domains[1] -> the one field the form has for them all.
        errors = {k.split("[", 1)[0]: v for k, v in field_errors(exc).items()}
        return await _page(request, db, principal, settings, values=values, errors=errors,
                           status=exc.status)
    return redirect(request, PATH + "?saved=1")


@post(PATH + "/test", status_code=200)
async def test_sso_settings(request: Request, principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            settings: NamedDependency[Settings]) -> Response[str]:
    """The API's "test connection", its result (or the 502's words) shown on the page."""
    try:
        tested: dict[str, Any] = {"ok": await config.test_connection(db, principal)}
    except RapportError as exc:
        if exc.status == 403:
            raise
        tested = {"error": exc.detail}
    return await _page(request, db, principal, settings, tested=tested)


@post(PATH + "/remove", status_code=200)
async def remove_sso_settings(request: Request, principal: NamedDependency[Principal],
                              db: NamedDependency[AsyncSession]) -> Response[str]:
    await config.remove(db, principal)
    return redirect(request, PATH + "?removed=1")


PAGES = [sso_settings_page, save_sso_settings, test_sso_settings, remove_sso_settings]
