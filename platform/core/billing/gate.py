"""Where entitlements are checked: enabling a module, adding members or contacts. In
self-hosted mode (no Stripe key) every check passes."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.billing.catalogue import PLANS
from rapport.core.billing.standing import standing, usage
from rapport.errors import RapportError
from rapport.hooks import PluginRegistry


def payment_required(detail: str, **extra: object) -> RapportError:
    # ``extra`` joins the problem document's members: never name one ``status``, ``type``,
    # ``title`` or ``detail`` (a billing status there replaced the HTTP status).
    return RapportError(detail=detail, status=402, title="Payment required", extra=dict(extra))


async def require_module(session: AsyncSession, tenant_id: uuid.UUID,
                         registry: PluginRegistry, module: str) -> None:
    """402 naming the add-on (or a plan including it) when the tenant may not use
    ``module``; 402 too while its paid modules are read-only for a lapsed payment."""
    now = await standing(session, tenant_id, registry)
    if now.entitled(module) and now.writable(module):
        return
    if now.entitled(module):
        raise payment_required(
            f"Module '{module}' is read-only until the overdue invoice is paid (status "
            f"{now.status})", module=module, billing_status=now.status, buy="portal")
    addon = now.addons[module]
    plans = [p.key for p in PLANS.values() if p.includes(module)]
    raise payment_required(
        f"Module '{module}' is not in the {now.plan.title} plan: buy the add-on "
        f"'{addon.price_key}'" + (f" or upgrade to {', '.join(plans)}" if plans else ""),
        module=module, buy={"addon": module, "price_key": addon.price_key, "plans": plans})


async def require_room(session: AsyncSession, tenant_id: uuid.UUID, registry: PluginRegistry,
                       limit: str, adding: int | Callable[[], int] = 1) -> None:
    """402 naming ``limit`` (members, contacts) when ``adding`` more would pass the plan's.
    ``adding`` may be a function (an import's row count): called only when a limit applies."""
    now = await standing(session, tenant_id, registry)
    allowed = now.plan.limit(limit)
    if not now.config.enabled or allowed is None:
        return
    if callable(adding):
        adding = adding()
    used = (await usage(session, tenant_id))[limit] or 0
    if used + adding > allowed:
        bigger = [p.key for p in PLANS.values()
                  if p.limit(limit) is None or (p.limit(limit) or 0) >= used + adding]
        raise payment_required(
            f"The {now.plan.title} plan allows {allowed} {limit}; {used} are used. "
            f"Upgrade to {', '.join(bigger)} for more", limit=limit, allowed=allowed,
            used=used, buy={"plans": bigger})


Room = Callable[..., Awaitable[None]]


def room_check(registry: PluginRegistry) -> Room:
    """``require_room`` bound to the registry: what the web layer hands kernel areas that
    may not import billing (contacts, imports) as their ``room`` dependency, called as
    ``await room(session, tenant_id, "contacts", adding)``."""
    async def room(session: AsyncSession, tenant_id: uuid.UUID, limit: str,
                   adding: int | Callable[[], int] = 1) -> None:
        await require_room(session, tenant_id, registry, limit, adding)
    return room
