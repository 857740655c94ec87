"""Kernel area: the attribution screen, registered through ``rapport_console`` like any
area's, with its own templates (their words are in the console's catalogs)."""

from __future__ import annotations

from pathlib import Path

from rapport.console.attribution.pages import PAGES
from rapport.hooks import ConsoleUI, PluginManifest, hookimpl

HERE = Path(__file__).parent


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="attribution_console", title="Attribution screen",
                          version="1.0", builtin=True)


@hookimpl
def rapport_console() -> ConsoleUI:
    # The navigation entry is the console's.
    return ConsoleUI(pages=PAGES, templates=HERE / "templates")
