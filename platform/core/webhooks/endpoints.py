"""Endpoint actions, for owners and admins of the tenant: register (the secret is made
here and shown once), list, read, change, delete, and read an endpoint's deliveries."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit
from rapport.core.communication.subscriptions import event_types
from rapport.core.pagination import Page, by_id, check_limit, cut, newest_first
from rapport.core.webhooks.models import WebhookDelivery, WebhookEndpoint
from rapport.core.webhooks.targets import TargetRefused, check
from rapport.errors import invalid, not_found
from rapport.hooks import PluginRegistry
from rapport.tenancy.principal import Principal

RECORD_TYPE = "webhook_endpoint"
ALL_EVENTS = "*"


def known_events(registry: PluginRegistry, actor: Principal) -> list[str]:
    """The kernel's events and those the tenant's enabled plugins declare."""
    return sorted({e.name for _, e in event_types(registry, actor.modules)})


def _events(registry: PluginRegistry, actor: Principal, wanted: list[str]) -> list[str]:
    known = set(known_events(registry, actor))
    unknown = [e for e in wanted if e != ALL_EVENTS and e not in known]
    if unknown:
        raise invalid("events", f"unknown event {unknown[0]}; one of "
                      f"{', '.join(sorted(known))}, or * for all")
    return sorted(set(wanted))


async def _url(url: str) -> str:
    try:
        await check(url)
    except TargetRefused as exc:
        raise invalid("url", str(exc)) from None
    return url


def _audited(e: WebhookEndpoint) -> dict[str, Any]:
    return {"url": e.url, "events": e.events, "description": e.description, "active": e.active}


async def get_endpoint(session: AsyncSession, actor: Principal,
                       endpoint_id: uuid.UUID) -> WebhookEndpoint:
    actor.require_manager()
    found = (await session.execute(select(WebhookEndpoint).where(
        WebhookEndpoint.tenant_id == actor.tenant_id, WebhookEndpoint.id == endpoint_id,
    ))).scalar_one_or_none()
    if found is None:
        raise not_found("Webhook endpoint")
    return found


async def list_endpoints(session: AsyncSession, actor: Principal, *, cursor: str | None,
                         limit: int) -> Page[WebhookEndpoint]:
    actor.require_manager()
    check_limit(limit)
    query = newest_first(select(WebhookEndpoint).where(
        WebhookEndpoint.tenant_id == actor.tenant_id), WebhookEndpoint.id, cursor, limit)
    return cut(list((await session.execute(query)).scalars()), limit, by_id)


async def create_endpoint(session: AsyncSession, actor: Principal, registry: PluginRegistry,
                          values: dict[str, Any]) -> WebhookEndpoint:
    actor.require_manager()
    endpoint = WebhookEndpoint(
        tenant_id=actor.tenant_id, created_by=actor.user_id, url=await _url(values["url"]),
        events=_events(registry, actor, values["events"]),
        description=values.get("description") or "", secret="whsec_" + secrets.token_hex(24))
    session.add(endpoint)
    await session.flush()
    await audit.record(session, actor, audit.CREATE, RECORD_TYPE, endpoint.id,
                       audit.diff({}, _audited(endpoint)))
    return endpoint


async def update_endpoint(session: AsyncSession, actor: Principal, registry: PluginRegistry,
                          endpoint_id: uuid.UUID, changes: dict[str, Any]) -> WebhookEndpoint:
    endpoint = await get_endpoint(session, actor, endpoint_id)
    before = _audited(endpoint)
    if "url" in changes:
        endpoint.url = await _url(changes["url"])
    if "events" in changes:
        endpoint.events = _events(registry, actor, changes["events"])
    if "description" in changes:
        endpoint.description = changes["description"] or ""
    if "active" in changes:
        endpoint.active = bool(changes["active"])
        if endpoint.active:
            # Switched on again by a person: a fresh start, nothing failing yet.
            endpoint.disabled_at = endpoint.disabled_reason = endpoint.failing_since = None
    await session.flush()
    await audit.record(session, actor, audit.UPDATE, RECORD_TYPE, endpoint.id,
                       audit.diff(before, _audited(endpoint)))
    return endpoint


async def delete_endpoint(session: AsyncSession, actor: Principal,
                          endpoint_id: uuid.UUID) -> None:
    endpoint = await get_endpoint(session, actor, endpoint_id)
    before = _audited(endpoint)
    await session.delete(endpoint)
    await session.flush()
    await audit.record(session, actor, audit.DELETE, RECORD_TYPE, endpoint_id,
                       audit.diff(before, {}))


async def deliveries(session: AsyncSession, actor: Principal, endpoint_id: uuid.UUID, *,
                     cursor: str | None, limit: int) -> Page[WebhookDelivery]:
    await get_endpoint(session, actor, endpoint_id)
    check_limit(limit)
    query = newest_first(select(WebhookDelivery).where(
        WebhookDelivery.tenant_id == actor.tenant_id,
        WebhookDelivery.endpoint_id == endpoint_id), WebhookDelivery.id, cursor, limit)
    return cut(list((await session.execute(query)).scalars()), limit, by_id)
