"""``rapport worker``'s pass: periodic work from areas and plugins, then the outbox.

Each pass first offers ``rapport_periodic_work`` to every kernel area and loaded plugin
(the tasks area turns due reminders into notifications and events there), then delivers
every tenant's due events to its enabled plugins' ``rapport_event_committed``.
"""

from __future__ import annotations

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core.events.outbox import deliver_tenant, due_tenants
from rapport.core.modules.enabled import enabled_modules
from rapport.db.session import tenant_session
from rapport.hooks import PeriodicWork, PluginHookError, PluginRegistry

log = structlog.get_logger("rapport.worker")


async def periodic_work(work: PeriodicWork) -> int:
    """Offer one pass of periodic work to each area and plugin; a failing one is logged
    with its name and the others carry on."""
    everyone = work.registry.for_tenant(frozenset(p.name for p in work.registry.loaded()))
    done = 0
    for info in work.registry.loaded():
        try:
            answers = await everyone.call_each("rapport_periodic_work", only=info.name, work=work)
        except PluginHookError as exc:
            log.error("periodic work failed", plugin=exc.plugin,
                      error=f"{type(exc.error).__name__}: {exc.error}")
            continue
        done += sum(n for _, n in answers if isinstance(n, int))
    return done


async def deliver_due(
    maker: async_sessionmaker[AsyncSession],
    registry: PluginRegistry,
    *,
    batch: int = 200,
    max_tenants: int = 100,
) -> int:
    """One pass: periodic work first (it may emit events), then every tenant with events
    due; returns how many events were handled."""
    await periodic_work(PeriodicWork(maker, registry, batch=batch, max_tenants=max_tenants))
    handled = 0
    for tenant_id in await due_tenants(maker, max_tenants):
        async with tenant_session(maker, tenant_id) as session:
            hooks = registry.for_tenant(await enabled_modules(session, tenant_id))
            handled += await deliver_tenant(session, hooks, tenant_id, batch)
    return handled
