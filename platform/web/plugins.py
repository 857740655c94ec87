"""Mounting plugin routes, the guard that hides a disabled module from a tenant, and the
one that keeps a module read-only while billing says it is not paid for."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler

from rapport.core.billing.config import BillingConfig
from rapport.core.billing.gate import require_module
from rapport.db.session import tenant_session
from rapport.hooks import PluginRegistry, RegistryRoutes
from rapport.web.request_session import request_session

PLUGIN_OPT = "rapport_plugin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def module_enabled(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """A disabled module's routes answer 404, as if they did not exist for this tenant.

    A coroutine though it awaits nothing: Litestar runs a plain function guard in its
    thread pool, a thread hop on every request of every plugin route."""
    name = handler.opt.get(PLUGIN_OPT)
    if name is None:
        return
    principal = connection.user
    if principal is None or name not in principal.modules:
        raise NotFoundException()


async def module_paid_for(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """A write to a module billing says is not entitled, or read-only after a lapsed
    payment's grace period, answers the billing gate's 402; reads keep working (the data
    is kept). Self-hosted mode (no Stripe key) decides from settings alone, before any
    statement, so it costs nothing; with billing on it is one query, in the request's own
    transaction (the one authentication opened)."""
    if not isinstance(connection, Request) or connection.method in SAFE_METHODS:
        return
    if not BillingConfig.from_env().enabled:
        return
    name = handler.opt.get(PLUGIN_OPT)
    principal = connection.user
    if name is None or principal is None:
        return
    registry: PluginRegistry = connection.app.state.registry
    holder = request_session(connection.scope)
    if holder is not None:
        session = await holder.open(principal.tenant_id, principal.user_id)
        await require_module(session, principal.tenant_id, registry, name)
        return
    async with tenant_session(connection.app.state.sessionmaker, principal.tenant_id,
                              principal.user_id) as session:
        await require_module(session, principal.tenant_id, registry, name)


async def module_open(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """The plugin API's guard: ``module_enabled``, then ``module_paid_for``. One guard for
    the two, because Litestar copies the handler for every guard it runs."""
    await module_enabled(connection, handler)
    await module_paid_for(connection, handler)


def route_handlers(registry: PluginRegistry) -> list[Any]:
    """Kernel areas' handlers as they are (``RegistryRoutes`` built with the registry); each
    plugin's under ``/api/v1/<plugin>``."""
    handlers: list[Any] = []
    by_plugin: dict[str, list[Any]] = {}
    for info in registry.loaded():
        routes = info.declarations.get("rapport_routes", [])
        if info.builtin:
            # A kernel area that mounts what plugins declare (the console) builds its routes
            # now, once every plugin is loaded.
            for route in routes:
                handlers.extend(route.build(registry) if isinstance(route, RegistryRoutes)
                                else [route])
        elif routes:
            by_plugin[info.name] = routes
    for name, routes in sorted(by_plugin.items()):
        handlers.append(
            Router(
                path=f"/api/v1/{name}",
                route_handlers=routes,
                guards=[module_open],
                opt={PLUGIN_OPT: name},
                tags=[name],
            )
        )
    return handlers
