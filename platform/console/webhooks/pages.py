"""Webhook screens over ``rapport.core.webhooks.endpoints`` (owners and admins)."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.forms import field_errors
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.core.webhooks import endpoints as service
from rapport.errors import RapportError, invalid
from rapport.hooks import PluginRegistry, Screen
from rapport.tenancy.principal import Principal

TITLE = N_("Webhooks")
BLANK = {"url": "", "events": [], "description": ""}
# A delivery's states, as the endpoint page names them.
STATES = (N_("pending"), N_("delivered"), N_("failed"), N_("cancelled"))


async def _list(db: AsyncSession, principal: Principal, registry: PluginRegistry,
                values: dict[str, Any], errors: dict[str, str], created: Any = None,
                status: int = 200) -> Screen:
    page = await service.list_endpoints(db, principal, cursor=None, limit=200)
    return Screen("webhooks_console/list.html", TITLE, {
        "endpoints": page.items, "values": values, "errors": errors, "created": created,
        "event_types": ["*", *service.known_events(registry, principal)],
    }, status=status)


@get("/settings/webhooks")
async def webhook_list(principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                       registry: NamedDependency[PluginRegistry]) -> Screen:
    return await _list(db, principal, registry, dict(BLANK), {})


@post("/settings/webhooks", status_code=200)
async def create_webhook(request: Request, principal: NamedDependency[Principal],
                         db: NamedDependency[AsyncSession],
                         registry: NamedDependency[PluginRegistry]) -> Screen:
    form = await request.form()
    values = {"url": (form.get("url") or "").strip(), "events": form.getall("events", []),
              "description": (form.get("description") or "").strip()[:200]}
    try:
        async with db.begin_nested():
            if not values["events"]:
                raise invalid("events", "Choose at least one event")
            made = await service.create_endpoint(db, principal, registry, values)
    except RapportError as exc:
        if exc.status == 403:
            raise
        return await _list(db, principal, registry, values, field_errors(exc), status=exc.status)
    # The secret is shown on this answer only.
    return await _list(db, principal, registry, dict(BLANK), {}, created=made)


@get("/settings/webhooks/{endpoint_id:uuid}")
async def webhook_page(endpoint_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession]) -> Screen:
    endpoint = await service.get_endpoint(db, principal, endpoint_id)
    page = await service.deliveries(db, principal, endpoint_id, cursor=None, limit=100)
    return Screen("webhooks_console/endpoint.html", endpoint.url, {
        "endpoint": endpoint, "deliveries": page.items})


@post("/settings/webhooks/{endpoint_id:uuid}/active", status_code=200)
async def switch_webhook(request: Request, endpoint_id: FromPath[uuid.UUID],
                         principal: NamedDependency[Principal],
                         db: NamedDependency[AsyncSession],
                         registry: NamedDependency[PluginRegistry]) -> Any:
    form = await request.form()
    await service.update_endpoint(db, principal, registry, endpoint_id,
                                  {"active": form.get("active") == "on"})
    return redirect(request, f"/settings/webhooks/{endpoint_id}")


@post("/settings/webhooks/{endpoint_id:uuid}/delete", status_code=200)
async def delete_webhook(request: Request, endpoint_id: FromPath[uuid.UUID],
                         principal: NamedDependency[Principal],
                         db: NamedDependency[AsyncSession]) -> Any:
    await service.delete_endpoint(db, principal, endpoint_id)
    return redirect(request, "/settings/webhooks")


PAGES = [webhook_list, create_webhook, webhook_page, switch_webhook, delete_webhook]
