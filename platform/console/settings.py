"""The member's own preferences: the language they read the console in, and (owners and
admins) the organization's default language."""

from __future__ import annotations

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.guards import redirect
from rapport.console.i18n import LANGUAGES, NATIVE_NAMES
from rapport.console.preferences import languages, save_language
from rapport.hooks import Screen
from rapport.tenancy.principal import Principal


@get("/preferences")
async def preferences_page(
    principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    saved: FromQuery[bool] = False,
) -> Screen:
    mine, tenant = await languages(db, principal)
    return Screen("console/preferences.html", "Preferences", {
        "languages": [(code, NATIVE_NAMES[code]) for code in LANGUAGES],
        "mine": mine or "", "tenant": tenant or "", "saved": saved,
    })


@post("/preferences", status_code=200)
async def save_preferences(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
) -> Response[str]:
    form = await request.form()
    language = str(form.get("language", ""))
    if language:
        await save_language(db, principal, language)
    tenant_language = str(form.get("tenant_language", ""))
    if tenant_language and principal.can_manage:
        await save_language(db, principal, tenant_language, for_tenant=True)
    return redirect(request, "/preferences?saved=true")


PAGES = [preferences_page, save_preferences]
