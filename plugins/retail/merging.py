"""A contact merge: the kernel moved the merged contact's memberships to the survivor; where
the survivor now holds two memberships of one program, fold the newer into the older —
ledger, vouchers, cards, tier history and purchase counts move, balances add up, and the
higher tier stays. Runs inside the merge's transaction (``contact.merged``)."""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from rapport_plugins.retail.ledger import consume, lock_member
from rapport_plugins.retail.models import Card, Member, TierChange, Voucher
from rapport_plugins.retail.programs import tiers_of

MOVED = (Voucher, Card, TierChange)
# Ledger entries move too; an external id the kept member already has (both got the sign-up
# bonus) is kept apart with a suffix, so the per-member unique key still holds.
MOVE_LEDGER = text(
    "UPDATE retail_ledger e SET member_id = :keep, external_id = CASE"
    " WHEN e.external_id IS NOT NULL AND EXISTS (SELECT 1 FROM retail_ledger k"
    " WHERE k.tenant_id = e.tenant_id AND k.member_id = :keep"
    " AND k.external_id = e.external_id)"
    " THEN left(e.external_id, 150) || '@merged:' || :other_text ELSE e.external_id END"
    " WHERE e.tenant_id = :t AND e.member_id = :other")


async def fold(db: AsyncSession, tenant_id: uuid.UUID, survivor: uuid.UUID) -> int:
    rows = (await db.execute(
        select(Member.id, Member.program_id).where(
            Member.tenant_id == tenant_id, Member.contact_id == survivor)
        .order_by(Member.program_id, Member.joined_at, Member.id))).tuples().all()
    by_program: dict[uuid.UUID, list[uuid.UUID]] = {}
    for member_id, program_id in rows:
        by_program.setdefault(program_id, []).append(member_id)
    folded = 0
    for program_id, ids in by_program.items():
        keep = await lock_member(db, tenant_id, ids[0])
        ladder = await tiers_of(db, tenant_id, program_id)
        rank = {t.id: i for i, t in enumerate(ladder)}
        for other_id in ids[1:]:
            other = await lock_member(db, tenant_id, other_id)
            await db.execute(MOVE_LEDGER, {"t": tenant_id, "keep": keep.id, "other": other_id,
                                           "other_text": str(other_id)})
            for model in MOVED:
                await db.execute(update(model).where(model.tenant_id == tenant_id,
                                                     model.member_id == other_id)
                                 .values(member_id=keep.id)
                                 .execution_options(synchronize_session=False))
            # Purchase counts add up per SKU (its unique key would refuse a plain move).
            await db.execute(text(
                "INSERT INTO retail_bought (tenant_id, id, member_id, sku, times, last_at)"
                " SELECT tenant_id, uuidv7(), :keep, sku, times, last_at FROM retail_bought"
                " WHERE tenant_id = :t AND member_id = :other"
                " ON CONFLICT (tenant_id, member_id, sku) DO UPDATE"
                " SET times = retail_bought.times + excluded.times,"
                " last_at = greatest(retail_bought.last_at, excluded.last_at)"),
                {"t": tenant_id, "keep": keep.id, "other": other_id})
            # A negative balance (a return's debt) on one side is repaid from the other's
            # open batches: consume what the combined balance no longer covers.
            open_points = max(0, keep.balance) + max(0, other.balance)
            keep.balance += other.balance
            keep.debt = max(0, -keep.balance)
            if open_points > max(0, keep.balance):
                await db.flush()
                await consume(db, keep, open_points - max(0, keep.balance))
            keep.pending += other.pending
            keep.qualifying_points += other.qualifying_points
            if rank.get(other.tier_id, -1) > rank.get(keep.tier_id, -1):  # type: ignore[arg-type]
                keep.tier_id = other.tier_id
            await db.flush()
            await db.execute(delete(Member).where(Member.tenant_id == tenant_id,
                                                  Member.id == other_id))
            folded += 1
    return folded
