"""Mounting plugin routes, and the guard that hides a disabled module from a tenant."""

from __future__ import annotations

from typing import Any

from litestar import Router
from litestar.connection import ASGIConnection
from litestar.exceptions import NotFoundException
from litestar.handlers.base import BaseRouteHandler

from rapport.hooks import PluginRegistry, RegistryRoutes

PLUGIN_OPT = "rapport_plugin"


def module_enabled(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """A disabled module's routes answer 404, as if they did not exist for this tenant."""
    name = handler.opt.get(PLUGIN_OPT)
    if name is None:
        return
    principal = connection.user
    if principal is None or name not in principal.modules:
        raise NotFoundException()


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
                guards=[module_enabled],
                opt={PLUGIN_OPT: name},
                tags=[name],
            )
        )
    return handlers
