"""The loyalty panel on the customer page: each membership's program, tier, balance and
active card, with a link to the member page. One indexed query."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from rapport.sdk import PanelQuery
from rapport_plugins.retail.models import Card, Member, Program, Tier


async def load(query: PanelQuery) -> dict[str, Any] | None:
    rows = (await query.session.execute(
        select(Member.id, Program.name, Tier.name, Member.balance, Member.pending, Card.number)
        .join(Program, (Program.tenant_id == Member.tenant_id) & (Program.id == Member.program_id))
        .outerjoin(Tier, (Tier.tenant_id == Member.tenant_id) & (Tier.id == Member.tier_id))
        .outerjoin(Card, (Card.tenant_id == Member.tenant_id) & (Card.member_id == Member.id)
                   & (Card.state == "active"))
        .where(Member.tenant_id == query.tenant_id, Member.contact_id == query.contact_id)
        .order_by(Member.joined_at, Card.created_at))).tuples().all()
    if not rows:
        return None
    memberships: dict[Any, dict[str, Any]] = {}
    for member_id, program, tier, balance, pending, number in rows:
        found = memberships.setdefault(member_id, {
            "member_id": member_id, "program": program, "tier": tier, "balance": balance,
            "pending": pending, "cards": []})
        if number:
            found["cards"].append(number)
    return {"memberships": list(memberships.values())}
