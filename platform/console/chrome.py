"""What every console page shows around its content — the language, the member, the
navigation they may see, their organizations, unread notifications — worked out once per
request, before the handler runs (``prepare``), and read by the renderer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from sqlalchemy import func, select

from rapport.console.i18n import Language, choose, from_accept_language, language
from rapport.console.preferences import chosen, my_tenants
from rapport.core.notifications.models import Notification
from rapport.db.session import tenant_session
from rapport.hooks import ConsoleUI, NavEntry
from rapport.hooks.console import Roles
from rapport.tenancy.principal import Principal

CONSOLE_OPT = "rapport_console"
STATE_KEY = "console_chrome"
LANGUAGE_COOKIE = "rapport_lang"
FORM_COOKIE = "rapport_form"
KERNEL = "console"
APPS = "/apps"


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    active: bool


@dataclass
class Chrome:
    """The request's frame: ``lang``, the signed-in ``principal`` (None on public pages), the
    ``csrf`` token forms and htmx send, the navigation, the switcher's organizations."""

    lang: Language
    path: str
    principal: Principal | None = None
    csrf: str = ""
    nav: list[NavLink] = field(default_factory=list)
    tenants: list[tuple[str, str]] = field(default_factory=list)
    unread: int = 0
    htmx: bool = False


def allowed(roles: Roles, principal: Principal | None) -> bool:
    """Whether a member may see an item limited to ``roles`` (None: everybody)."""
    if principal is None:
        return False
    return roles is None or principal.role in roles or principal.effective_role in roles


def visible(declared: Mapping[str, ConsoleUI], principal: Principal) -> list[tuple[str, ConsoleUI]]:
    """The kernel's and the enabled plugins' declarations, in a stable order."""
    return [
        (name, ui) for name, ui in sorted(declared.items())
        if name == KERNEL or name in principal.modules
    ]


def href(plugin: str, path: str) -> str:
    return path if plugin == KERNEL else f"{APPS}/{plugin}{path}"


def navigation(
    declared: Mapping[str, ConsoleUI], principal: Principal, lang: Language, path: str
) -> list[NavLink]:
    entries: list[tuple[int, str, NavEntry]] = [
        (entry.order, name, entry)
        for name, ui in visible(declared, principal)
        for entry in ui.nav
        if allowed(entry.roles, principal)
    ]
    links = []
    for _, name, entry in sorted(entries, key=lambda e: (e[0], e[1])):
        target = href(name, entry.path)
        here = path == target or (target != "/" and path.startswith(target.rstrip("/") + "/"))
        links.append(NavLink(lang.gettext(entry.label), target, here))
    return links


def _declared(request: Request) -> Mapping[str, ConsoleUI]:
    return request.route_handler.opt[CONSOLE_OPT].declared


async def _member_frame(request: Request, principal: Principal) -> tuple[Any, ...]:
    async with tenant_session(
        request.app.state.sessionmaker, principal.tenant_id, principal.user_id
    ) as session:
        prefs = await chosen(session, principal)
        tenants = await my_tenants(session)
        unread = await session.scalar(
            select(func.count()).where(
                Notification.tenant_id == principal.tenant_id,
                Notification.recipient_id == principal.membership_id,
                Notification.read_at.is_(None),
            )
        )
    return prefs, tenants, unread or 0


async def prepare(request: Request) -> None:
    """Router ``before_request``: work out the frame and keep it on the request."""
    principal: Principal | None = request.scope.get("user")
    declared = _declared(request)
    folders = tuple(ui.translations for ui in declared.values() if ui.translations)
    browser = (request.cookies.get(LANGUAGE_COOKIE), from_accept_language(
        request.headers.get("accept-language")))
    htmx = request.headers.get("hx-request") == "true"
    path = request.url.path
    if principal is None:
        lang = language(choose(*browser), folders)
        token = request.cookies.get(FORM_COOKIE, "")
        request.state[STATE_KEY] = Chrome(lang, path, csrf=token, htmx=htmx)
        return
    prefs, tenants, unread = await _member_frame(request, principal)
    lang = language(choose(prefs.language, prefs.tenant_language, *browser), folders,
                    prefs.zone)
    request.state[STATE_KEY] = Chrome(
        lang, path, principal,
        csrf=getattr(request.scope.get("auth"), "csrf", ""),
        nav=navigation(declared, principal, lang, path),
        tenants=tenants, unread=unread, htmx=htmx,
    )


def chrome_of(request: Request) -> Chrome:
    chrome = request.state.get(STATE_KEY)
    if chrome is None:  # an error raised before ``prepare`` ran (e.g. by authentication)
        chrome = Chrome(language(choose(request.cookies.get(LANGUAGE_COOKIE),
                                        from_accept_language(
                                            request.headers.get("accept-language")))),
                        request.url.path)
    return chrome
