"""The console's routes, built once every plugin is loaded: the kernel's pages at ``/``,
each plugin's under ``/apps/<plugin>/`` (404 for tenants without it, 403 for roles it does
not admit, 402 for a form post while billing keeps the module read-only), and the shipped
assets under ``/static/console/``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router

from rapport.console.chrome import APPS, CONSOLE_OPT, KERNEL, prepare
from rapport.console.guards import ROLES_OPT, on_error, role_guard
from rapport.console.rendering import Console, ScreenResponse
from rapport.hooks import ConsoleUI, PluginRegistry
from rapport.web.plugins import PLUGIN_OPT, module_enabled, module_paid_for
from rapport.web.problems import HANDLERS

STATIC = Path(__file__).parent / "static"
STATIC_PATH = "/static/console"


def declarations(registry: PluginRegistry) -> dict[str, ConsoleUI]:
    """Every loaded plugin's ``rapport_console`` answer (the kernel's as ``console``)."""
    return {
        name: ui for name, ui in registry.declared("rapport_console") if isinstance(ui, ConsoleUI)
    }


def _router(path: str, ui: ConsoleUI, console: Console, *guards: Any, **opt: Any) -> Router:
    return Router(
        path=path,
        route_handlers=list(ui.pages),
        before_request=prepare,
        response_class=ScreenResponse,
        exception_handlers=dict.fromkeys(HANDLERS, on_error),
        include_in_schema=False,
        opt={CONSOLE_OPT: console, ROLES_OPT: ui.page_roles, **opt},
        guards=[module_enabled, role_guard, *guards],
    )


def routes(registry: PluginRegistry) -> list[Any]:
    declared: Mapping[str, ConsoleUI] = declarations(registry)
    console = Console(declared)
    handlers: list[Any] = []
    for name, ui in sorted(declared.items()):
        if not ui.pages:
            continue
        if name == KERNEL:
            handlers.append(_router("/", ui, console))
        elif registry.plugins[name].builtin:
            # Other kernel areas' pages sit at the paths they choose, like their API routes.
            handlers.append(_router("/", ui, console))
        else:
            # A module's form posts meet the same billing gate as its API writes (402 on
            # the error page while it is read-only or not paid for); self-hosted mode
            # decides from settings alone. Kernel pages (sign-in among them) never meet it.
            handlers.append(_router(f"{APPS}/{name}", ui, console, module_paid_for,
                                    **{PLUGIN_OPT: name}))
    handlers.append(
        create_static_files_router(
            path=STATIC_PATH,
            directories=[STATIC],
            name="console_static",
            opt={"exclude_from_auth": True},
            cache_control=CacheControlHeader(max_age=3600, public=True),
            include_in_schema=False,
        )
    )
    return handlers
