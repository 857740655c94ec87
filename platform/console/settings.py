"""The member's own preferences: the language they read the console in and the time zone
their dates and times are shown in, and (owners and admins) the organization's defaults."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.guards import redirect
from rapport.console.i18n import LANGUAGES, NATIVE_NAMES
from rapport.console.preferences import chosen, save_language, save_time_zone, time_zones
from rapport.hooks import Screen
from rapport.tenancy.principal import Principal


@get("/preferences")
async def preferences_page(
    principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    saved: FromQuery[bool] = False,
) -> Screen:
    prefs = await chosen(db, principal)
    return Screen("console/preferences.html", "Preferences", {
        "languages": [(code, NATIVE_NAMES[code]) for code in LANGUAGES],
        "mine": prefs.language or "", "tenant": prefs.tenant_language or "", "saved": saved,
        "zones": time_zones(), "my_zone": prefs.time_zone or "",
        "tenant_zone": prefs.tenant_time_zone or "", "now": datetime.now(UTC),
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
    if "time_zone" in form:  # "" goes back to the organization's
        await save_time_zone(db, principal, str(form.get("time_zone")) or None)
    if "tenant_time_zone" in form and principal.can_manage:
        await save_time_zone(db, principal, str(form.get("tenant_time_zone")) or None,
                             for_tenant=True)
    return redirect(request, "/preferences?saved=true")


PAGES = [preferences_page, save_preferences]
