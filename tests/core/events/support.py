"""Run one worker pass from tests, as ``rapport worker`` runs it each tick."""

from __future__ import annotations

import asyncio

from rapport.db.session import make_engine, make_sessionmaker
from rapport.hooks import PluginRegistry


def deliver(database, registry: PluginRegistry) -> int:
    """One pass over every tenant with events due. The suite's tests share one database,
    where far more than a pass's 100 tenants can hold undelivered events (most tests never
    run the worker), and tenants are served oldest first: with the cap, a test's own tenant
    could wait behind the others and its events seem not delivered."""
    async def run() -> int:
        from rapport.worker import deliver_due

        engine = make_engine(database.app_url, pool_size=1)
        try:
            return await deliver_due(make_sessionmaker(engine), registry, max_tenants=1_000_000)
        finally:
            await engine.dispose()

    return asyncio.run(run())
