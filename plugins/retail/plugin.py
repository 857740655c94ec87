"""The retail plugin's hooks: loyalty programs, cards, points, tiers, rewards and the
cashier's view of a customer (docs/retail.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rapport.sdk import (
    CONSENT_CHANGED,
    CONTACT_MERGED,
    CONTACT_PURGED,
    CONTACT_UPDATED,
    TRANSACTION_RECORDED,
    CommittedEvents,
    ConsoleUI,
    ContactFilter,
    ContactSummaryQuery,
    DomainEvent,
    PeriodicWork,
    Permission,
    PluginManifest,
    RoleDefinition,
    SegmentCondition,
    SharingRule,
    SubscriptionEvent,
    TemplateQuery,
    TimelineEntry,
    TimelineQuery,
    hookimpl,
)
from rapport_plugins.retail import bonuses, letters, members, merging, segments, timeline
from rapport_plugins.retail import work as periodic
from rapport_plugins.retail.cli import retail_group
from rapport_plugins.retail.console import UI
from rapport_plugins.retail.models import MODELS
from rapport_plugins.retail.purchase_batches import earn_batch
from rapport_plugins.retail.purchases import on_transaction
from rapport_plugins.retail.roles import MEMBER_RULE, PERMISSIONS, ROLES
from rapport_plugins.retail.routes import CONTROLLERS


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(
        name="retail",
        title="Retail loyalty",
        version="0.1.0",
        description="Loyalty cards, points, tiers and rewards, and the cashier's personal "
        "view of the customer at the till.",
        permissions=tuple(p.key for p in PERMISSIONS),
        price_key="price_retail",
        tags=("vertical", "retail"),
    )


@hookimpl
def rapport_models() -> list[type]:
    return list(MODELS)


@hookimpl
def rapport_migrations() -> Path:
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def rapport_routes() -> list[Any]:
    return list(CONTROLLERS)


@hookimpl
def rapport_permissions() -> list[Permission]:
    return list(PERMISSIONS)


@hookimpl
def rapport_roles() -> list[RoleDefinition]:
    return list(ROLES)


@hookimpl
def rapport_sharing_rules() -> list[SharingRule]:
    return [MEMBER_RULE]


@hookimpl
async def rapport_event(event: DomainEvent) -> None:
    if event.name == TRANSACTION_RECORDED:
        await on_transaction(event)
    elif event.name == CONTACT_MERGED and event.record_id is not None:
        await merging.fold(event.session, event.tenant_id, event.record_id)
    elif event.name == CONTACT_PURGED and event.record_id is not None:
        await members.contact_purged(event.session, event.actor, event.tenant_id,
                                     event.record_id)
    elif event.name == CONTACT_UPDATED and event.record_id is not None:
        await bonuses.profile(event.session, event.tenant_id, event.record_id)
    elif event.name == CONSENT_CHANGED and event.record_id is not None:
        await bonuses.newsletter(event.session, event.tenant_id, event.record_id,
                                 event.payload)


@hookimpl
async def rapport_event_rows_committed(batch: CommittedEvents) -> None:
    # Purchases recorded anywhere but at the till earn here, a batch at a time, read
    # straight from the claimed outbox rows.
    if batch.name == TRANSACTION_RECORDED:
        await earn_batch(batch)


@hookimpl
async def rapport_timeline(query: TimelineQuery) -> list[TimelineEntry]:
    return await timeline.entries(query)


@hookimpl
async def rapport_contact_summary(query: ContactSummaryQuery) -> dict[str, Any]:
    return await timeline.summary(query)


@hookimpl
async def rapport_periodic_work(work: PeriodicWork) -> int:
    return await periodic.run(work)


@hookimpl
def rapport_console() -> ConsoleUI:
    return UI


@hookimpl
def rapport_cli_commands() -> list[Any]:
    return [retail_group]


@hookimpl
def rapport_segment_conditions() -> list[SegmentCondition]:
    return list(segments.CONDITIONS)


@hookimpl
def rapport_contact_filters() -> list[ContactFilter]:
    """``retail.tier:eq:Gold``: the tier in the contact list's filter grammar."""
    return list(segments.FILTERS)


@hookimpl
async def rapport_template_variables(query: TemplateQuery) -> dict[str, Any]:
    return await letters.template_variables(query)


@hookimpl
def rapport_subscription_events() -> list[SubscriptionEvent]:
    return list(letters.EVENTS)
