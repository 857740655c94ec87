"""HTTP doors of outbound webhooks (owners and admins): endpoints CRUD, the event types on
offer, and an endpoint's deliveries with their attempts."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.core.webhooks import endpoints
from rapport.core.webhooks.schemas import (
    DeliveryList,
    DeliveryOut,
    EndpointCreated,
    EndpointIn,
    EndpointList,
    EndpointOut,
    EndpointPatch,
    EventTypesOut,
)
from rapport.hooks import PluginRegistry
from rapport.tenancy.principal import Principal


class WebhookController(Controller):
    path = "/api/v1/webhooks"
    tags = ["webhooks"]

    @get("/")
    async def list_webhooks(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> EndpointList:
        """Newest first; pass ``next_cursor`` back as ``cursor``."""
        page = await endpoints.list_endpoints(db, principal, cursor=cursor, limit=limit)
        return EndpointList([EndpointOut.of(e) for e in page.items], page.next_cursor)

    @post("/", status_code=201)
    async def create_webhook(
        self, data: JSONBody[EndpointIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], registry: NamedDependency[PluginRegistry],
    ) -> EndpointCreated:
        """Register an endpoint; the answer carries its signing ``secret``, shown this once.
        A URL resolving to a loopback, private or link-local address, or an unknown event,
        is a 422 naming the field."""
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        return EndpointCreated.created(
            await endpoints.create_endpoint(db, principal, registry, values))

    @get("/event-types")
    async def webhook_event_types(
        self, principal: NamedDependency[Principal], registry: NamedDependency[PluginRegistry],
    ) -> EventTypesOut:
        """The kernel's events and those of the tenant's enabled plugins."""
        principal.require_manager()
        return EventTypesOut(endpoints.known_events(registry, principal))

    @get("/{endpoint_id:uuid}")
    async def get_webhook(
        self, endpoint_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> EndpointOut:
        return EndpointOut.of(await endpoints.get_endpoint(db, principal, endpoint_id))

    @patch("/{endpoint_id:uuid}")
    async def update_webhook(
        self, endpoint_id: FromPath[uuid.UUID], data: JSONBody[EndpointPatch],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        registry: NamedDependency[PluginRegistry],
    ) -> EndpointOut:
        """Change only what is sent; ``active: true`` switches a disabled endpoint on again."""
        return EndpointOut.of(await endpoints.update_endpoint(
            db, principal, registry, endpoint_id, data.changes()))

    @delete("/{endpoint_id:uuid}", status_code=204)
    async def delete_webhook(
        self, endpoint_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """The endpoint and its deliveries."""
        await endpoints.delete_endpoint(db, principal, endpoint_id)

    @get("/{endpoint_id:uuid}/deliveries")
    async def webhook_deliveries(
        self, endpoint_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> DeliveryList:
        """Newest first, each with its attempts (time, HTTP status, error)."""
        page = await endpoints.deliveries(db, principal, endpoint_id, cursor=cursor,
                                          limit=limit)
        return DeliveryList([DeliveryOut.of(d) for d in page.items], page.next_cursor)
