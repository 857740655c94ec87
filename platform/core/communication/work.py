"""The worker's pass for communication: due campaigns, then due e-mail digests, with the
senders the ``rapport_senders`` declarations build from the settings (``RAPPORT_SMTP_URL``,
the gateway variables, a plugin's own)."""

from __future__ import annotations

from rapport.core.communication.digest import send_digests
from rapport.core.communication.senders import senders_for
from rapport.core.communication.sending import Run, due_tenants, send_due
from rapport.hooks import PeriodicWork
from rapport.settings import Settings


async def periodic(work: PeriodicWork) -> int:
    settings = Settings.from_env()
    # Campaigns: each tenant's senders from the rapport_senders declarations (kernel and
    # enabled plugins); digests go through the kernel's own.
    run = Run(work.sessions, work.registry, settings, None, batch=min(work.batch, 100))
    sent = await send_due(run, work.max_tenants)
    tenants = await due_tenants(work.sessions, work.max_tenants)
    kernel = senders_for(work.registry, settings, frozenset())
    return sent + await send_digests(work.sessions, kernel, tenants)
