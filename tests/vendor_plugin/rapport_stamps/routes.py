"""The plugin's HTTP API, mounted by the kernel under ``/api/v1/stamps/``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, SkipValidation
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Principal,
    TenantHooks,
    Workflow,
    emit,
    fire,
    forbidden,
    get_contact,
    not_found,
    start,
)
from rapport_stamps.models import StampCard
from rapport_stamps.workflow import CARD


class CardIn(msgspec.Struct):
    contact_id: uuid.UUID


class TransitionIn(msgspec.Struct):
    note: str | None = None


class CardOut(msgspec.Struct):
    id: uuid.UUID
    contact_id: uuid.UUID
    stamps: int
    state: str


def card_out(card: StampCard) -> CardOut:
    return CardOut(card.id, card.contact_id, card.stamps, card.state)


async def card_of(db: AsyncSession, principal: Principal, card_id: uuid.UUID) -> StampCard:
    card = (
        await db.execute(
            select(StampCard).where(
                StampCard.tenant_id == principal.tenant_id, StampCard.id == card_id
            )
        )
    ).scalar_one_or_none()
    if card is None:
        raise not_found("Card")
    return card


async def issue_card(
    db: AsyncSession, principal: Principal, contact_id: uuid.UUID, stamps: int = 0
) -> StampCard:
    card = StampCard(tenant_id=principal.tenant_id, contact_id=contact_id, stamps=stamps)
    db.add(card)
    await db.flush()
    await start(db, principal, CARD, "stamps.card", card.id)
    return card


class CardController(Controller):
    path = "/cards"

    @get("/")
    async def list_cards(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession]
    ) -> list[CardOut]:
        rows = await db.execute(
            select(StampCard)
            .where(StampCard.tenant_id == principal.tenant_id)
            .order_by(StampCard.id.desc())
            .limit(200)
        )
        return [card_out(c) for c in rows.scalars()]

    @post("/", status_code=201)
    async def create_card(
        self,
        data: JSONBody[CardIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> CardOut:
        principal.require_writer()
        await get_contact(db, principal, data.contact_id)  # 404 for another tenant's contact
        return card_out(await issue_card(db, principal, data.contact_id))

    @get("/{card_id:uuid}")
    async def get_card(
        self,
        card_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> CardOut:
        return card_out(await card_of(db, principal, card_id))

    @post("/{card_id:uuid}/stamp", status_code=200)
    async def add_stamp(
        self,
        card_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> CardOut:
        """One more coffee bought."""
        if not principal.can_write:
            raise forbidden("Viewers cannot stamp cards")
        card = await card_of(db, principal, card_id)
        card.stamps += 1
        await db.flush()
        await emit(db, principal, hooks, "stamps.stamped", "stamps.card", card.id,
                   {"stamps": card.stamps})
        return card_out(card)

    @post("/{card_id:uuid}/transitions/{name:str}", status_code=200)
    async def transition(
        self,
        card_id: FromPath[uuid.UUID],
        name: FromPath[str],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        workflow_definitions: NamedDependency[SkipValidation[Mapping[str, Workflow]]],
        data: JSONBody[TransitionIn | None] = None,
    ) -> CardOut:
        """Fire a workflow transition: fill, redeem, void."""
        card = await card_of(db, principal, card_id)
        fired = await fire(
            db, principal, workflow_definitions, CARD.name, card.id, name,
            note=data.note if data else None, record_fields={"stamps": card.stamps},
        )
        card.state = fired.instance.state
        await db.flush()
        return card_out(card)
