"""Kernel area: outbound webhooks — routes, queuing committed events, and the worker's
deliveries."""

from __future__ import annotations

from typing import Any

from rapport.core.webhooks.api import WebhookController
from rapport.core.webhooks.delivery import enqueue, send_due
from rapport.hooks import DomainEvent, PeriodicWork, PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="webhooks", title="Webhooks", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [WebhookController]


@hookimpl
async def rapport_events_committed(events: list[DomainEvent]) -> None:
    await enqueue(events)


@hookimpl
async def rapport_periodic_work(work: PeriodicWork) -> int:
    return await send_due(work.sessions, batch=min(work.batch, 100),
                          max_tenants=work.max_tenants)
