"""Personal offers at the till, chosen for this member:

- by tier: the perks of their tier;
- by what they bought: running SKU rules (bonus multipliers) on SKUs they have bought;
- by their group: the SKUs the others in their relationship groups (the kernel's
  relationships: family, household, company) buy most and they have not bought yet —
  "offer what this customer's people liked";
- rewards their balance affords now.

Each source is one indexed query; at most three offers of each kind.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import RelationshipMember
from rapport_plugins.retail import schemas
from rapport_plugins.retail.ledger import now
from rapport_plugins.retail.models import Bought, Member, Reward, Rule, Tier
from rapport_plugins.retail.numbers import text

EACH = 3


async def for_member(db: AsyncSession, member: Member, tier: Tier | None
                     ) -> list[schemas.Offer]:
    tenant = member.tenant_id
    offers = [schemas.Offer("perk", perk) for perk in (tier.perks if tier else [])]
    at = now()
    running = (await db.execute(
        select(Rule.name, Rule.sku, Rule.multiplier)
        .join(Bought, (Bought.tenant_id == Rule.tenant_id) & (Bought.sku == Rule.sku)
              & (Bought.member_id == member.id))
        .where(Rule.tenant_id == tenant, Rule.program_id == member.program_id,
               (Rule.starts_at.is_(None)) | (Rule.starts_at <= at),
               (Rule.ends_at.is_(None)) | (Rule.ends_at > at))
        .order_by(Rule.multiplier.desc(), Bought.times.desc()).limit(EACH))).tuples()
    offers += [schemas.Offer("bonus", f"{name}: {sku} x{text(m)}")
               for name, sku, m in running]
    mine = select(RelationshipMember.relationship_id).where(
        RelationshipMember.tenant_id == tenant, RelationshipMember.contact_id == member.contact_id)
    already = select(Bought.sku).where(Bought.tenant_id == tenant,
                                       Bought.member_id == member.id)
    liked = (await db.execute(
        select(Bought.sku, func.sum(Bought.times).label("n"))
        .join(Member, (Member.tenant_id == Bought.tenant_id) & (Member.id == Bought.member_id))
        .join(RelationshipMember, (RelationshipMember.tenant_id == Member.tenant_id)
              & (RelationshipMember.contact_id == Member.contact_id))
        .where(Bought.tenant_id == tenant, RelationshipMember.relationship_id.in_(mine),
               Member.contact_id != member.contact_id, Bought.sku.not_in(already))
        .group_by(Bought.sku).order_by(func.sum(Bought.times).desc(), Bought.sku)
        .limit(EACH))).tuples()
    offers += [schemas.Offer("group", sku) for sku, _ in liked]
    affordable = (await db.execute(
        select(Reward).where(Reward.tenant_id == tenant, Reward.program_id == member.program_id,
                             Reward.active, Reward.points_cost <= member.balance)
        .order_by(Reward.points_cost.desc()).limit(EACH))).scalars()
    offers += [schemas.Offer("reward", r.name, r.id, r.points_cost) for r in affordable]
    return offers
