"""What retail offers the kernel's messages: template variables (``{{ retail.points }}``,
``{{ retail.tier }}``, ``{{ retail.program }}``) and the events members may follow."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from rapport.sdk import SubscriptionEvent, TemplateQuery
from rapport_plugins.retail.events import BIRTHDAY, TIER_CHANGED, TIER_WARNING
from rapport_plugins.retail.models import Member, Program, Tier

EXAMPLE = {"program": "Coffee Club", "tier": "Gold", "points": 1250}
EVENTS = [
    SubscriptionEvent(TIER_CHANGED, {"en": "A loyalty member changed tier",
                                     "uk": "Учасник програми лояльності змінив рівень",
                                     "ru": "Участник программы лояльности сменил уровень"}),
    SubscriptionEvent(TIER_WARNING, {"en": "A loyalty member may lose their tier",
                                     "uk": "Учасник може втратити свій рівень",
                                     "ru": "Участник может потерять свой уровень"}),
    SubscriptionEvent(BIRTHDAY, {"en": "A loyalty member's birthday",
                                 "uk": "День народження учасника програми",
                                 "ru": "День рождения участника программы"}),
]


async def template_variables(query: TemplateQuery) -> dict[str, Any]:
    """The contact's newest membership: program, tier and spendable points. The same keys
    for everyone (None/0 when not a member), so one template serves members and others."""
    if query.contact_id is None:
        return dict(EXAMPLE)
    row = (await query.session.execute(
        select(Program.name, Tier.name, Member.balance)
        .join(Program, (Program.tenant_id == Member.tenant_id) & (Program.id == Member.program_id))
        .outerjoin(Tier, (Tier.tenant_id == Member.tenant_id) & (Tier.id == Member.tier_id))
        .where(Member.tenant_id == query.tenant_id, Member.contact_id == query.contact_id)
        .order_by(Member.joined_at.desc()).limit(1)
    )).first()
    if row is None:
        return {"program": None, "tier": None, "points": 0}
    return {"program": row[0], "tier": row[1], "points": int(row[2])}
