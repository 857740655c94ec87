"""HTTP doors of what a member chooses: their subscriptions (which events reach them and
how) and the signature their letters end with."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, delete, get, post, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.communication import subscriptions
from rapport.core.communication.schemas import (
    EventTypeList,
    EventTypeOut,
    Language,
    SignatureIn,
    SignatureOut,
    SubscriptionIn,
    SubscriptionList,
    SubscriptionOut,
)
from rapport.hooks import PluginRegistry
from rapport.tenancy.principal import Principal


class SubscriptionController(Controller):
    path = "/api/v1/subscriptions"
    tags = ["communication"]

    @get("/")
    async def list_subscriptions(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    ) -> SubscriptionList:
        """The caller's own subscriptions."""
        rows = await subscriptions.mine(db, principal)
        return SubscriptionList([SubscriptionOut.of(s) for s in rows])

    @post("/", status_code=201)
    async def subscribe(
        self, data: JSONBody[SubscriptionIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], registry: NamedDependency[PluginRegistry],
    ) -> SubscriptionOut:
        """Follow an event type (see ``/event-types``) in the app or by e-mail digest; 409
        when already followed that way."""
        values = {f: getattr(data, f) for f in data.__struct_fields__}
        return SubscriptionOut.of(await subscriptions.subscribe(db, principal, registry, values))

    @get("/event-types")
    async def event_types(
        self, principal: NamedDependency[Principal], registry: NamedDependency[PluginRegistry],
        language: Annotated[Language, QueryParameter(description="uk, ru, en …")] = "en",
    ) -> EventTypeList:
        """The events one may follow: the kernel's and the enabled modules'."""
        lang = language.split("-")[0].lower()
        return EventTypeList([EventTypeOut(e.name, e.title_in(lang), source)
                              for source, e in subscriptions.event_types(registry,
                                                                         principal.modules)])

    @delete("/{subscription_id:uuid}", status_code=204)
    async def unsubscribe(
        self, subscription_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        """Stop following it (only one's own; another's answers 404)."""
        await subscriptions.unsubscribe(db, principal, subscription_id)


class SignatureController(Controller):
    path = "/api/v1/signature"
    tags = ["communication"]

    @get("/")
    async def get_signature(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    ) -> SignatureOut:
        """The caller's signature (``{{ member.signature }}``; empty: their name)."""
        return SignatureOut(await subscriptions.signature(db, principal))

    @put("/")
    async def set_signature(
        self, data: JSONBody[SignatureIn], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> SignatureOut:
        return SignatureOut(await subscriptions.set_signature(db, principal, data.signature))
