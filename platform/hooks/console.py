"""What a plugin (or a kernel area) adds to the console: navigation entries, pages and panels
on the customer page — plain data, answered once by ``rapport_console`` and shown only to
tenants that enabled the plugin and to the roles each item names.

A page is an ordinary Litestar route handler that returns a :class:`Screen` (a whole page in
the console's layout) or a :class:`Fragment` (a piece of HTML for an htmx swap); the console
renders the template from the plugin's own ``templates`` folder in the member's language.
See docs/plugins.md, "Adding console screens".
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from rapport.tenancy.principal import Principal

Roles = frozenset[str] | None
"""Who may see an item: ``None`` is every member; otherwise the role names (kernel roles
``owner``, ``admin``, ``member``, ``viewer`` and roles plugins add) that may."""


def _roles(value: Any) -> frozenset[str] | None:
    return None if value is None else frozenset(value)


@dataclass(frozen=True)
class Screen:
    """A whole page: ``template`` (``"<plugin>/<file>.html"`` for a plugin, found in its
    ``templates`` folder) rendered inside the console's layout, with ``title`` in the tab
    and the heading. ``context`` holds the template's variables."""

    template: str
    title: str
    context: Mapping[str, Any] = field(default_factory=dict)
    status: int = 200


@dataclass(frozen=True)
class Fragment:
    """A piece of a page, for an htmx request (``hx-get`` / ``hx-post``): the template
    alone, no layout."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)
    status: int = 200


@dataclass(frozen=True)
class NavEntry:
    """An entry in the console's navigation.

    ``label`` is an English message id, translated through the console's catalogs (and the
    plugin's own, see :class:`ConsoleUI`); ``path`` is relative to the plugin's pages
    (``"/"`` → ``/apps/<plugin>/``), absolute for kernel areas; ``order`` sorts entries
    (kernel entries use 10, 20, …); ``roles`` limits who sees it."""

    label: str
    path: str = "/"
    order: int = 100
    roles: Roles = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", _roles(self.roles))
        if not self.path.startswith("/"):
            raise ValueError(f"nav entry {self.label!r}: path must start with '/'")


@dataclass(frozen=True)
class PanelQuery:
    """What a customer-page panel's ``load`` receives: the tenant, the customer, the open
    transaction of the request and the acting member."""

    tenant_id: uuid.UUID
    contact_id: uuid.UUID
    session: AsyncSession
    principal: Principal


@dataclass(frozen=True)
class CustomerPanel:
    """A panel on the customer page. ``load(query)`` (may be ``async``) returns the
    template's context, or ``None`` to show nothing for this customer; ``template`` is
    rendered in the panel with ``panel`` (that context) and ``contact_id``. ``title`` is a
    message id; ``order`` sorts panels; ``roles`` limits who sees it."""

    key: str
    title: str
    template: str
    load: Callable[[PanelQuery], Mapping[str, Any] | Awaitable[Mapping[str, Any] | None] | None]
    order: int = 100
    roles: Roles = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", _roles(self.roles))


@dataclass(frozen=True)
class ConsoleUI:
    """Everything one plugin adds to the console (the answer of ``rapport_console``).

    :param pages: Litestar route handlers (functions, controllers, routers) returning
        :class:`Screen` or :class:`Fragment`; a plugin's are mounted under
        ``/apps/<plugin>/`` and answer 404 to tenants that have not enabled it.
    :param page_roles: who may open the pages (``None``: every member); a member of
        another role gets 403.
    :param nav: navigation entries.
    :param panels: panels on the customer page.
    :param templates: the folder of the plugin's templates; a template is named
        ``"<plugin>/<file>"``. Templates autoescape and may extend ``"console/panel.html"``
        or use the console's macros (``{% import "console/macros.html" as ui %}``).
    :param translations: a folder laid out ``<lang>/LC_MESSAGES/messages.po`` (``uk``,
        ``ru``); its messages translate the plugin's templates, nav labels and panel titles.
    """

    pages: Sequence[Any] = ()
    page_roles: Roles = None
    nav: Sequence[NavEntry] = ()
    panels: Sequence[CustomerPanel] = ()
    templates: Path | None = None
    translations: Path | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "page_roles", _roles(self.page_roles))
        for item in self.nav:
            if not isinstance(item, NavEntry):
                raise TypeError(f"nav items must be NavEntry, not {type(item).__name__}")
        for panel in self.panels:
            if not isinstance(panel, CustomerPanel):
                raise TypeError(f"panels must be CustomerPanel, not {type(panel).__name__}")
        for folder in (self.templates, self.translations):
            if folder is not None and not Path(folder).is_dir():
                raise ValueError(f"console folder {folder} does not exist")


@dataclass(frozen=True)
class RegistryRoutes:
    """Routes a kernel area can build only once every plugin is loaded (the console mounts
    the plugins' pages this way): ``build(registry)`` returns route handlers."""

    build: Callable[[Any], Sequence[Any]]


__all__ = [
    "ConsoleUI",
    "CustomerPanel",
    "Fragment",
    "NavEntry",
    "PanelQuery",
    "RegistryRoutes",
    "Roles",
    "Screen",
]
