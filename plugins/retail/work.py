"""Retail's share of each ``rapport worker`` pass: expire past-due point batches,
celebrate today's birthdays, settle the tiers of members whose period ended and warn those
whose period's end would lower them (``tiers``), one transaction per tenant, for tenants
that enabled retail. Passes rotate through the tenants (a cursor kept in this process),
``work.max_tenants`` at a time; every job is idempotent, so several workers may overlap
safely."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from rapport.sdk import PeriodicWork, tenant_session
from rapport_plugins.retail import birthdays, ledger, tiers

_cursor: dict[str, uuid.UUID | None] = {"after": None}


async def run(work: PeriodicWork) -> int:
    async with tenant_session(work.sessions, None) as session:
        tenants = list((await session.execute(
            text("SELECT retail_worker_tenants(:after, :n)"),
            {"after": _cursor["after"], "n": work.max_tenants})).scalars())
    _cursor["after"] = tenants[-1] if len(tenants) == work.max_tenants else None
    handled = 0
    for tenant_id in tenants:
        async with tenant_session(work.sessions, tenant_id) as db:
            handled += await ledger.expire_due(db, tenant_id, work.batch)
            handled += await birthdays.celebrate(db, tenant_id, work.batch)
            handled += await tiers.period_ends(db, tenant_id, work.batch)
            handled += await tiers.warnings(db, tenant_id, work.batch)
    return handled
