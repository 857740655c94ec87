"""Kernel area: the survey screens, registered through ``rapport_console`` like any area's,
with their own templates (their words are in the console's catalogs)."""

from __future__ import annotations

from pathlib import Path

from rapport.console.surveys.answer import PUBLIC_PAGES
from rapport.console.surveys.invite import INVITE_PAGES
from rapport.console.surveys.pages import PAGES
from rapport.console.surveys.report_page import REPORT_PAGES
from rapport.hooks import ConsoleUI, PluginManifest, hookimpl

HERE = Path(__file__).parent


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="surveys_console", title="Survey screens", version="1.0",
                          builtin=True)


@hookimpl
def rapport_console() -> ConsoleUI:
    # The navigation entry and the customer-page panel (invite.PANEL) are the console's.
    return ConsoleUI(pages=[*PAGES, *INVITE_PAGES, *REPORT_PAGES, *PUBLIC_PAGES],
                     templates=HERE / "templates")
