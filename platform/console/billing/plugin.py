"""Kernel area: the billing screen, registered through ``rapport_console`` like any area's."""

from __future__ import annotations

from pathlib import Path

from rapport.console.billing.pages import PAGES
from rapport.hooks import ConsoleUI, PluginManifest, hookimpl

HERE = Path(__file__).parent
MANAGERS = frozenset({"owner", "admin"})


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="billing_console", title="Billing screens", version="1.0",
                          builtin=True)


@hookimpl
def rapport_console() -> ConsoleUI:
    # Its navigation entry is the console's (the chrome lists the console's and enabled
    # plugins' entries, not other kernel areas').
    return ConsoleUI(pages=PAGES, page_roles=MANAGERS, templates=HERE / "templates")
