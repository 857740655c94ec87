"""Kernel area: communication — routes, the subscribers of committed events, and the
worker's campaign sending and digests."""

from __future__ import annotations

from typing import Any

from rapport.core.communication.campaigns_api import CampaignController
from rapport.core.communication.cli import campaigns_group
from rapport.core.communication.people_api import SignatureController, SubscriptionController
from rapport.core.communication.public_api import TrackingController, UnsubscribeController
from rapport.core.communication.senders import KERNEL_SENDERS
from rapport.core.communication.subscriptions import deliver
from rapport.core.communication.templates_api import TemplateController
from rapport.core.communication.work import periodic
from rapport.hooks import DomainEvent, PeriodicWork, PluginManifest, SenderDeclaration, hookimpl


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(name="communication", title="Communication", version="1.0",
                          builtin=True)


@hookimpl
def rapport_routes() -> list[Any]:
    return [TemplateController, CampaignController, SubscriptionController,
            SignatureController, UnsubscribeController, TrackingController]


@hookimpl
def rapport_senders() -> list[SenderDeclaration]:
    """SMTP for e-mail, the signed gateway webhooks for SMS and messenger."""
    return list(KERNEL_SENDERS)


@hookimpl
def rapport_cli_commands() -> list[Any]:
    return [campaigns_group]


@hookimpl
async def rapport_events_committed(events: list[DomainEvent]) -> None:
    await deliver(events)


@hookimpl
async def rapport_periodic_work(work: PeriodicWork) -> int:
    return await periodic(work)
