"""The stamps plugin: every hook of the Rapport contract, in one small file.

A vendor's plugin is a module with ``@hookimpl`` functions, registered under the
``rapport.plugins`` entry point (see ../pyproject.toml). Nothing in ``platform/`` knows it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import msgspec
from sqlalchemy import func, select

from rapport.sdk import (
    CONTACT_CREATED,
    ConsoleUI,
    Contact,
    DomainEvent,
    FieldDefinition,
    FieldError,
    Permission,
    PluginManifest,
    RoleDefinition,
    TenantContext,
    TimelineEntry,
    TimelineQuery,
    Workflow,
    hookimpl,
    load_settings,
    rollup,
)
from rapport_stamps.console import UI
from rapport_stamps.models import StampCard
from rapport_stamps.routes import CardController, issue_card
from rapport_stamps.workflow import CARD

NAME = "stamps"


class StampSettings(msgspec.Struct, forbid_unknown_fields=True):
    """Per-tenant settings; the defaults are what a shop gets before it changes anything."""

    stamps_per_reward: Annotated[int, msgspec.Meta(ge=1, le=50)] = 10
    welcome_stamps: Annotated[int, msgspec.Meta(ge=0)] = 0
    auto_card: bool = True


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(
        name=NAME,
        title="Stamp cards",
        version="1.2.0",
        description="A free coffee after every ten: paper stamp cards, kept in the CRM.",
        permissions=("stamps.redeem",),
        price_key="price_stamps",
        vendor="Example Coffee Systems",
    )


@hookimpl
def rapport_fields() -> list[FieldDefinition]:
    return [
        FieldDefinition(
            owner=NAME, key="favourite_drink", entity="contact", type="enum",
            label="Favourite drink", options=("latte", "flat_white", "espresso"), indexed=True,
        ),
        FieldDefinition(
            owner=NAME, key="total_stamps", entity="contact", type="integer",
            label="Stamps collected",
            computed=rollup(
                lambda ids: select(StampCard.contact_id, func.sum(StampCard.stamps))
                .where(StampCard.contact_id.in_(ids))
                .group_by(StampCard.contact_id),
                default=0,
            ),
        ),
    ]


@hookimpl
def rapport_models() -> list[type]:
    return [StampCard]


@hookimpl
def rapport_migrations() -> Path:
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def rapport_routes() -> list[Any]:
    return [CardController]


@hookimpl
def rapport_workflows() -> list[Workflow]:
    return [CARD]


@hookimpl
def rapport_sharing_rules() -> list[Any]:
    from rapport.sdk import SharingRule

    return [
        SharingRule(
            record_type="stamps.card",
            read_roles=frozenset({"owner", "admin", "member", "viewer", "barista"}),
            write_roles=frozenset({"owner", "admin", "barista"}),
            owner_roles=frozenset({"member"}),
            sections=("stamps",),
            cross_tenant=True,
        )
    ]


@hookimpl
def rapport_permissions() -> list[Permission]:
    return [Permission("stamps.redeem", "Give the free coffee of a full card")]


@hookimpl
def rapport_roles() -> list[RoleDefinition]:
    return [RoleDefinition("barista", "Barista", ("stamps.redeem",), kernel_role="member")]


@hookimpl
def rapport_console() -> ConsoleUI:
    """A page (/apps/stamps/), its navigation entry and a panel on the customer page."""
    return UI


@hookimpl
def rapport_settings_schema() -> type:
    return StampSettings


@hookimpl
def rapport_validate_settings(settings: dict[str, Any]) -> list[FieldError]:
    if settings["welcome_stamps"] >= settings["stamps_per_reward"]:
        return [FieldError("settings.welcome_stamps", "must be fewer than stamps_per_reward")]
    return []


@hookimpl
async def rapport_event(event: DomainEvent) -> None:
    if event.name != CONTACT_CREATED:
        return
    if event.payload.get("given_name") == "Explode":
        # Lets the test suite prove that a failing plugin aborts only this request.
        raise RuntimeError("stamps could not issue a card")
    settings = await load_settings(event.session, event.tenant_id, NAME, StampSettings)
    if settings.auto_card and event.record_id is not None:
        await issue_card(event.session, event.actor, event.record_id, settings.welcome_stamps)


@hookimpl
async def rapport_timeline(query: TimelineQuery) -> list[TimelineEntry]:
    stmt = select(StampCard).where(
        StampCard.tenant_id == query.tenant_id, StampCard.contact_id == query.contact_id
    )
    if query.before is not None:
        stmt = stmt.where(StampCard.created_at < query.before)
    cards = (await query.session.execute(stmt.order_by(StampCard.created_at.desc())
                                          .limit(query.limit))).scalars()
    return [
        TimelineEntry(
            at=card.created_at, kind="stamps.card", title="Stamp card issued",
            summary=f"{card.stamps} stamps, {card.state}", record_type="stamps.card",
            record_id=card.id, source=NAME, data={"stamps": card.stamps},
        )
        for card in cards
    ]


@hookimpl
async def rapport_demo_data(ctx: TenantContext) -> int:
    created = 0
    for given, drink in (("Oksana", "latte"), ("Marko", "espresso"), ("Iryna", "flat_white")):
        contact = Contact(tenant_id=ctx.tenant_id, given_name=given, family_name="Demo",
                          fields={"stamps.favourite_drink": drink})
        ctx.session.add(contact)
        await ctx.session.flush()
        await issue_card(ctx.session, ctx.actor, contact.id, stamps=3)
        created += 2
    return created
