"""The worker's pass for communication: due campaigns, then due e-mail digests, with the
senders the settings configure (``RAPPORT_SMTP_URL``, the gateway variables)."""

from __future__ import annotations

from rapport.core.communication.digest import send_digests
from rapport.core.communication.senders import default_senders
from rapport.core.communication.sending import Run, due_tenants, send_due
from rapport.hooks import PeriodicWork
from rapport.settings import Settings


async def periodic(work: PeriodicWork) -> int:
    settings = Settings.from_env()
    run = Run(work.sessions, work.registry, settings, default_senders(settings),
              batch=min(work.batch, 100))
    sent = await send_due(run, work.max_tenants)
    tenants = await due_tenants(work.sessions, work.max_tenants)
    return sent + await send_digests(work.sessions, run.senders, tenants)
