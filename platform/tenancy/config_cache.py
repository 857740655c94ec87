"""A tenant's configuration kept by each process between requests (its field definitions,
its contact settings), checked against ``tenants.config_version`` on every use.

Triggers raise the version with every write to those tables (migration 0020), and
authentication has already loaded the tenant's row into the request's session, so the
check costs no statement: a hit costs nothing, a miss reads what it would have read
anyway. Another process's change shows at the next request here.

A copy is at least as new as the version it is filed under (the version is read first, at
authentication; the rows later, under READ COMMITTED), so a reader never gets a copy older
than what its own request saw. A transaction that writes the configuration itself stops
using the cache (``written``): its uncommitted rows must reach neither other requests nor
its own later reads through an old copy. Cached values are shared: keep them immutable.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Hashable
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.tenancy.models import Tenant

T = TypeVar("T")

WRITTEN_KEY = "rapport.config_written"
VERSIONS_KEY = "rapport.config_versions"
# Copies kept per cache before it starts over; a process serving more tenants than this
# re-reads their configuration now and then, nothing worse.
MAX_ENTRIES = 10_000


def written(session: AsyncSession) -> None:
    """This transaction changed the tenant's configuration: read it fresh from now on."""
    session.info[WRITTEN_KEY] = True


@event.listens_for(Tenant, "load")
@event.listens_for(Tenant, "refresh")
def _remember_version(tenant: Tenant, context: Any, *args: Any) -> None:
    # Whenever a session loads a tenant's row (authentication does, on every request), it
    # notes the version, which then costs no statement.
    context.session.info.setdefault(VERSIONS_KEY, {})[tenant.id] = tenant.config_version


async def config_version(session: AsyncSession, tenant_id: uuid.UUID) -> int | None:
    known: dict[uuid.UUID, int] = session.info.get(VERSIONS_KEY, {})
    if tenant_id in known:
        return known[tenant_id]
    # Elsewhere (a worker, the CLI): one primary-key read of the global tenants table.
    tenant = await session.get(Tenant, tenant_id)
    return None if tenant is None else tenant.config_version


class TenantConfigCache(Generic[T]):
    """One kind of configuration (``name``), per tenant and key."""

    def __init__(self, name: str, max_entries: int = MAX_ENTRIES) -> None:
        self.name = name
        self._max = max_entries
        self._entries: dict[tuple[uuid.UUID, Hashable], tuple[int, T]] = {}

    async def get(
        self,
        session: AsyncSession,
        tenant_id: uuid.UUID,
        key: Hashable,
        load: Callable[[], Awaitable[T]],
    ) -> T:
        if session.info.get(WRITTEN_KEY):
            return await load()
        version = await config_version(session, tenant_id)
        if version is None:
            return await load()
        entry = self._entries.get((tenant_id, key))
        if entry is not None and entry[0] == version:
            return entry[1]
        value = await load()
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[(tenant_id, key)] = (version, value)
        return value

    def clear(self) -> None:
        self._entries.clear()
