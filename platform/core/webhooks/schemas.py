"""Webhook shapes at the edge: endpoints (the secret only in the answer to the creation)
and their deliveries with every attempt."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from rapport.core.webhooks.models import WebhookDelivery, WebhookEndpoint
from rapport.fieldtypes import Patch

Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2000, pattern=r"^https?://\S+$",
                                  description="http(s) URL; may not resolve to a loopback, "
                                  "private or link-local address unless the operator allows it")]
EventName = Annotated[str, msgspec.Meta(
    pattern=r"^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+)$", max_length=120,
    description="an event type (GET /api/v1/webhooks/event-types) or * for all")]
Events = Annotated[list[EventName], msgspec.Meta(min_length=1, max_length=100)]
Description = Annotated[str, msgspec.Meta(max_length=200, pattern=r"^[^\x00]*$")]


class EndpointIn(msgspec.Struct, forbid_unknown_fields=True):
    url: Url
    events: Events
    description: Description = ""


class EndpointPatch(msgspec.Struct, Patch, forbid_unknown_fields=True):
    url: Url | msgspec.UnsetType = msgspec.UNSET
    events: Events | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class EndpointOut(msgspec.Struct):
    id: uuid.UUID
    url: str
    events: list[str]
    description: str
    active: bool
    failing_since: datetime | None
    disabled_at: datetime | None
    disabled_reason: str | None
    created_at: datetime

    @classmethod
    def of(cls, e: WebhookEndpoint) -> EndpointOut:
        return cls(e.id, e.url, list(e.events), e.description, e.active, e.failing_since,
                   e.disabled_at, e.disabled_reason, e.created_at)


class EndpointCreated(EndpointOut):
    """As an endpoint, with its signing secret: shown this once, never again."""

    secret: str = ""

    @classmethod
    def created(cls, e: WebhookEndpoint) -> EndpointCreated:
        return cls(e.id, e.url, list(e.events), e.description, e.active, e.failing_since,
                   e.disabled_at, e.disabled_reason, e.created_at, e.secret)


class EndpointList(msgspec.Struct):
    items: list[EndpointOut]
    next_cursor: str | None


class Attempt(msgspec.Struct):
    at: datetime
    status: int | None
    error: str | None


class DeliveryOut(msgspec.Struct):
    id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: str
    attempts: list[Attempt]
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, d: WebhookDelivery) -> DeliveryOut:
        attempts: list[dict[str, Any]] = d.attempts or []
        return cls(d.id, d.event_id, d.event_type, d.status,
                   [msgspec.convert(a, Attempt) for a in attempts],
                   d.next_attempt_at if d.status == "pending" else None, d.delivered_at,
                   d.created_at)


class DeliveryList(msgspec.Struct):
    items: list[DeliveryOut]
    next_cursor: str | None


class EventTypesOut(msgspec.Struct):
    names: list[str]
