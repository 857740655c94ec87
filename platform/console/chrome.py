"""What every console page shows around its content — the language, the member, the
navigation they may see, their organizations, unread notifications — worked out once per
request, before the handler runs (``prepare``), and read by the renderer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request
from sqlalchemy import func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.i18n import Language, choose, from_accept_language, language
from rapport.console.preferences import Chosen, ConsolePreference
from rapport.core.billing import entitlements
from rapport.core.billing.config import BillingConfig
from rapport.core.billing.models import BillingAccount
from rapport.core.notifications.models import Notification
from rapport.db.session import tenant_session
from rapport.hooks import ConsoleUI, NavEntry
from rapport.hooks.console import Roles
from rapport.tenancy.models import Role
from rapport.tenancy.principal import Principal
from rapport.web.request_session import request_session

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
    # Owners and admins of a tenant whose payment is overdue: the banner on every page.
    past_due: PastDue | None = None


@dataclass(frozen=True)
class PastDue:
    """The past-due banner: read-only already, or available until ``grace_ends_at``."""

    read_only: bool
    grace_ends_at: datetime | None


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


async def _frame_of(session: AsyncSession, principal: Principal) -> tuple[Any, ...]:
    """The member's and tenant's preferences, their organizations and unread notifications:
    one statement (three scalar subqueries), one round trip per page."""
    prefs = (
        select(func.json_agg(func.json_build_array(
            ConsolePreference.user_id, ConsolePreference.locale, ConsolePreference.time_zone)))
        .where(ConsolePreference.tenant_id == principal.tenant_id,
               (ConsolePreference.user_id == principal.user_id)
               | ConsolePreference.user_id.is_(None))
        .scalar_subquery()
    )
    mine = func.rapport_console_my_tenants().table_valued("slug", "name")
    tenants = select(func.json_agg(aggregate_order_by(
        func.json_build_array(mine.c.slug, mine.c.name), mine.c.name, mine.c.slug))
    ).select_from(mine).scalar_subquery()
    unread = (
        select(func.count())
        .where(
            Notification.tenant_id == principal.tenant_id,
            Notification.recipient_id == principal.membership_id,
            Notification.read_at.is_(None),
        )
        .scalar_subquery()
    )
    billed = _billing_standing(principal)
    rows, orgs, count, standing_ = (
        await session.execute(select(prefs, tenants, unread, billed))
    ).one()
    member = next((r for r in rows or [] if r[0] is not None), None)
    tenant = next((r for r in rows or [] if r[0] is None), None)
    chosen_ = Chosen(member[1] if member else None, tenant[1] if tenant else None,
                     member[2] if member else None, tenant[2] if tenant else None)
    return (chosen_, [(slug, name) for slug, name in orgs or []], count or 0,
            _past_due(standing_))


def _billing_standing(principal: Principal) -> Any:
    """Owners' and admins' billing status and when it lapsed, as one more scalar subquery of
    the frame's statement; nothing is read in self-hosted mode or for other roles."""
    if principal.role not in (Role.OWNER, Role.ADMIN) or not BillingConfig.from_env().enabled:
        return literal(None)
    return (
        select(func.json_build_array(BillingAccount.status, BillingAccount.lapsed_at))
        .where(BillingAccount.tenant_id == principal.tenant_id)
        .scalar_subquery()
    )


def _past_due(found: Any) -> PastDue | None:
    if not found or found[0] not in entitlements.GRACE + entitlements.LAPSED:
        return None
    status, lapsed = found[0], datetime.fromisoformat(found[1]) if found[1] else None
    grace = BillingConfig.from_env().grace_days
    read_only = entitlements.read_only(status, lapsed, datetime.now(UTC), grace)
    ends = lapsed + timedelta(days=grace) if lapsed and status in entitlements.GRACE else None
    return PastDue(read_only, None if read_only else ends)


async def _member_frame(request: Request, principal: Principal) -> tuple[Any, ...]:
    """Read in the request's own transaction, the one authentication began (no second
    connection, BEGIN, ``set_config`` and COMMIT per page); a transaction of its own only
    when there is none."""
    holder = request_session(request.scope)
    if holder is not None and holder.session is not None:
        return await _frame_of(holder.session, principal)
    async with tenant_session(
        request.app.state.sessionmaker, principal.tenant_id, principal.user_id
    ) as session:
        return await _frame_of(session, principal)


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
    prefs, tenants, unread, past_due = await _member_frame(request, principal)
    lang = language(choose(prefs.language, prefs.tenant_language, *browser), folders,
                    prefs.zone)
    request.state[STATE_KEY] = Chrome(
        lang, path, principal,
        csrf=getattr(request.scope.get("auth"), "csrf", ""),
        nav=navigation(declared, principal, lang, path),
        tenants=tenants, unread=unread, htmx=htmx, past_due=past_due,
    )


def chrome_of(request: Request) -> Chrome:
    chrome = request.state.get(STATE_KEY)
    if chrome is None:  # an error raised before ``prepare`` ran (e.g. by authentication)
        chrome = Chrome(language(choose(request.cookies.get(LANGUAGE_COOKIE),
                                        from_accept_language(
                                            request.headers.get("accept-language")))),
                        request.url.path)
    return chrome
