"""Kernel area: the console. It answers the same hooks as a plugin — its own navigation and
pages through ``rapport_console`` — and mounts every plugin's screens (``RegistryRoutes``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rapport.console import (
    account,
    admin,
    boards,
    communication,
    contacts,
    deals,
    home,
    imports,
    organizations,
    reports,
    segments,
    settings,
    tasks,
    trash,
)
from rapport.console.mount import routes
from rapport.console.surveys.invite import PANEL as surveys_panel
from rapport.hooks import ConsoleUI, NavEntry, PluginManifest, RegistryRoutes, hookimpl

HERE = Path(__file__).parent


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="console", title="Console", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [RegistryRoutes(routes)]


@hookimpl
def rapport_migrations() -> Path:
    return HERE / "migrations" / "versions"


@hookimpl
def rapport_console() -> ConsoleUI:
    return ConsoleUI(
        pages=[*account.PAGES, *home.PAGES, *contacts.PAGES, *settings.PAGES, *admin.PAGES,
               *deals.PAGES, *tasks.PAGES, *organizations.PAGES, *imports.PAGES,
               *trash.PAGES, *boards.PAGES, *segments.PAGES, *communication.PAGES,
               *reports.PAGES],
        nav=[
            NavEntry("Home", "/", order=10),
            NavEntry("Contacts", "/contacts", order=20),
            NavEntry("Segments", "/segments", order=25),
            # The analysis pages come from rapport.console.analytics (a kernel area).
            NavEntry("Analysis", "/analytics", order=26),
            NavEntry("Campaigns", "/campaigns", order=27),
            # From rapport.console.attribution (a kernel area).
            NavEntry("Attribution", "/attribution", order=27),
            # From rapport.console.surveys (a kernel area), as is the panel below.
            NavEntry("Surveys", "/surveys", order=29),
            NavEntry("Members' results", "/reports/members", order=28),
            NavEntry("Deals", "/deals", order=30),
            NavEntry("Tasks", "/tasks", order=40),
            NavEntry("Organizations", "/organizations", order=50),
            NavEntry("Import and export", "/imports", order=60,
                     roles=frozenset({"owner", "admin", "member"})),
            NavEntry("Trash", "/trash", order=80),
            # The billing screen's own pages come from rapport.console.billing (a kernel area).
            NavEntry("Plan and billing", "/billing", order=85,
                     roles=frozenset({"owner", "admin"})),
            NavEntry("Settings", "/settings", order=90, roles=frozenset({"owner", "admin"})),
            # The webhook screens come from rapport.console.webhooks (a kernel area).
            NavEntry("Webhooks", "/settings/webhooks", order=92,
                     roles=frozenset({"owner", "admin"})),
            # Single sign-on settings (rapport.console.account.sso).
            NavEntry("Single sign-on", "/settings/sso", order=93,
                     roles=frozenset({"owner", "admin"})),
        ],
        panels=[surveys_panel],
        templates=HERE / "templates",
        translations=None,
    )
