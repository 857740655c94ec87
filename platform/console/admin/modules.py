"""The module marketplace: every installed module with what it does and what it needs,
switched on and off per organization, and its settings form generated from its schema —
through ``rapport.core.modules.service``, the API's own rules and answers."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.admin import schema_form
from rapport.console.admin.common import GUARDS, TABS
from rapport.console.forms import field_errors
from rapport.console.guards import redirect
from rapport.console.rendering import screen_response
from rapport.core.billing.prices import addon_prices
from rapport.core.billing.standing import standing
from rapport.core.modules import service
from rapport.errors import RapportError
from rapport.hooks import PluginRegistry, Screen
from rapport.tenancy.principal import Principal

PATH = "/settings/modules"
DONE = ("enabled", "disabled", "saved")


def _card(state: service.ModuleState, registry: PluginRegistry, on: set[str],
          settings: dict[str, Any]) -> dict[str, Any]:
    info, manifest = state.info, state.info.manifest
    requires = list(manifest.requires) if manifest else []
    required_by = sorted(
        other.name for other in registry.modules()
        if other.manifest and info.name in other.manifest.requires and other.name in on
    )

    def title(name: str) -> str:
        other = registry.get(name)
        return other.manifest.title if other and other.manifest else name

    return {
        "name": info.name,
        "title": manifest.title if manifest else info.name,
        "description": manifest.description if manifest else "",
        "version": manifest.version if manifest else "",
        "enabled": state.enabled, "available": info.ok, "error": info.error,
        "requires": [{"name": r, "title": title(r), "enabled": r in on} for r in requires],
        "required_by": [title(n) for n in required_by],
        "settings": schema_form.fields(info.settings_schema, settings) if state.enabled else [],
    }


async def _page(
    request: Request, db: AsyncSession, principal: Principal, registry: PluginRegistry, *,
    problem: tuple[str, dict[str, str], list[str]] | None = None, status: int = 200,
) -> Response[str]:
    states = await service.list_modules(db, principal, registry)
    on = {s.info.name for s in states if s.enabled}
    # Billing's view of each module (all free in self-hosted mode): add-ons to buy first.
    billed = await standing(db, principal.tenant_id, registry)
    prices = await addon_prices(billed.config, [a for n, a in billed.addons.items()
                                                if billed.paid(n)])
    cards = []
    for s in states:
        values = await service.get_settings(db, principal, registry, s.info.name) \
            if s.enabled and s.info.settings_schema is not None else {}
        cards.append({**_card(s, registry, on, values),
                      "to_buy": not billed.entitled(s.info.name),
                      "price": prices[s.info.name].shown() if s.info.name in prices else None,
                      "read_only": billed.entitled(s.info.name)
                      and not billed.writable(s.info.name)})
    done = next(((k, request.query_params[k]) for k in DONE if request.query_params.get(k)),
                None)
    return screen_response(request, Screen("console/admin/modules.html", "Modules", {
        "tabs": TABS, "here": PATH, "modules": cards, "done": done,
        "problem": problem,
    }, status=status))


@get(PATH, guards=GUARDS)
async def modules_page(
    request: Request, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    registry: NamedDependency[PluginRegistry],
) -> Response[str]:
    return await _page(request, db, principal, registry)


def _refused(exc: RapportError) -> list[str]:
    extra = getattr(exc, "extra", None) or {}
    return list(extra.get("missing") or extra.get("required_by") or [])


@post(PATH + "/{name:str}/enable", guards=GUARDS, status_code=200)
async def enable(
    request: Request, name: FromPath[str], principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession], registry: NamedDependency[PluginRegistry],
) -> Response[str]:
    form = await request.form()
    try:
        await service.enable(db, principal, registry, name,
                             with_requirements=form.get("with_requirements") == "1")
    except RapportError as exc:
        if exc.status not in (402, 409):  # 402: an add-on the plan does not include
            raise
        return await _page(request, db, principal, registry, status=exc.status,
                           problem=(name, field_errors(exc), _refused(exc)))
    # A whole page again: the navigation changes with the modules.
    return redirect(request, f"{PATH}?enabled={name}#module-{name}")


@post(PATH + "/{name:str}/disable", guards=GUARDS, status_code=200)
async def disable(
    request: Request, name: FromPath[str], principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession], registry: NamedDependency[PluginRegistry],
) -> Response[str]:
    try:
        await service.disable(db, principal, registry, name)
    except RapportError as exc:
        if exc.status != 409:
            raise
        return await _page(request, db, principal, registry, status=409,
                           problem=(name, field_errors(exc), []))
    return redirect(request, f"{PATH}?disabled={name}#module-{name}")


@post(PATH + "/{name:str}/settings", guards=GUARDS, status_code=200)
async def save_settings(
    request: Request, name: FromPath[str], principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession], registry: NamedDependency[PluginRegistry],
) -> Response[str]:
    info = registry.get(name)
    current = await service.get_settings(db, principal, registry, name)  # 404: unknown
    form = await request.form()
    try:
        data = schema_form.read(info.settings_schema if info else None, form, current)
        await service.put_settings(db, principal, registry, name, data)
    except RapportError as exc:
        if exc.status not in (409, 422):
            raise
        return await _page(request, db, principal, registry, status=exc.status,
                           problem=(name, field_errors(exc), []))
    return redirect(request, f"{PATH}?saved={name}#module-{name}")


PAGES = [modules_page, enable, disable, save_settings]
