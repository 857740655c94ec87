"""The stamps plugin's console screens: a page listing the shop's cards (under
/apps/stamps/), its navigation entry, and a panel on the customer page. Only ``rapport.sdk``
from the kernel; the templates and translations live in this package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import get
from litestar.di import NamedDependency
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    ConsoleUI,
    Contact,
    CustomerPanel,
    NavEntry,
    PanelQuery,
    Principal,
    Screen,
)
from rapport_stamps.models import StampCard

HERE = Path(__file__).parent


@get("/")
async def cards_page(
    principal: NamedDependency[Principal], db: NamedDependency[AsyncSession]
) -> Screen:
    """Every card of the shop, fullest first, with its customer's name."""
    rows = await db.execute(
        select(StampCard, Contact.display_name)
        .join(Contact, (Contact.tenant_id == StampCard.tenant_id)
              & (Contact.id == StampCard.contact_id))
        .where(StampCard.tenant_id == principal.tenant_id)
        .order_by(StampCard.stamps.desc(), StampCard.id)
        .limit(100)
    )
    cards = [{"card": card, "name": name} for card, name in rows]
    total = sum(c["card"].stamps for c in cards)
    return Screen("stamps/cards.html", "Stamp cards", {"cards": cards, "total": total})


async def card_panel(query: PanelQuery) -> dict[str, Any] | None:
    """The customer's cards; no panel for a customer without one."""
    cards = (await query.session.execute(
        select(StampCard).where(StampCard.tenant_id == query.tenant_id,
                                StampCard.contact_id == query.contact_id)
    )).scalars().all()
    if not cards:
        return None
    stamps = await query.session.scalar(
        select(func.sum(StampCard.stamps)).where(StampCard.tenant_id == query.tenant_id,
                                                 StampCard.contact_id == query.contact_id)
    )
    return {"cards": cards, "stamps": stamps or 0}


UI = ConsoleUI(
    pages=[cards_page],
    nav=[NavEntry("Stamp cards", "/", order=50)],
    panels=[CustomerPanel("cards", "Stamp cards", "stamps/panel.html", card_panel,
                          roles={"owner", "admin", "member", "barista"})],
    templates=HERE / "templates",
    translations=HERE / "locale",
)
