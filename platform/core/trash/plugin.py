"""Kernel area: the trash of contacts, deals and organizations — its routes and the
worker's purge of what has been there longer than ``RAPPORT_TRASH_DAYS``."""

from __future__ import annotations

from typing import Any

from rapport.core.trash import service
from rapport.core.trash.controllers import TrashController
from rapport.hooks import PeriodicWork, PluginManifest, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="trash", title="Trash", version="1.0", builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [TrashController]


@hookimpl
async def rapport_periodic_work(work: PeriodicWork) -> int:
    """Records deleted more than ``RAPPORT_TRASH_DAYS`` ago are purged, per tenant in
    batches of at most ``work.batch``."""
    return await service.purge_expired(work.sessions, work.registry, batch=work.batch,
                                       max_tenants=work.max_tenants)
