"""Reports for loyalty managers: members per tier, active vs lapsed, points issued /
redeemed / expired per month, redemption rate, and the liability in money (IFRS 15:
outstanding points x value per point x expected redemption rate)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal
from rapport_plugins.retail import schemas
from rapport_plugins.retail.ledger import now
from rapport_plugins.retail.members import get_member
from rapport_plugins.retail.models import Entry, Member, Tier, TierChange
from rapport_plugins.retail.programs import get_program
from rapport_plugins.retail.roles import require_manager

LAPSED_AFTER = timedelta(days=365)  # no earning for a year: lapsed


async def program_report(db: AsyncSession, principal: Principal, program_id: uuid.UUID
                         ) -> schemas.ReportOut:
    require_manager(principal)
    program = await get_program(db, principal, program_id)
    tenant = principal.tenant_id
    in_program = (Member.tenant_id == tenant) & (Member.program_id == program.id)
    per_tier: dict[str, int] = {name: count for name, count in (await db.execute(
        select(func.coalesce(Tier.name, ""), func.count())
        .select_from(Member)
        .outerjoin(Tier, (Tier.tenant_id == Member.tenant_id) & (Tier.id == Member.tier_id))
        .where(in_program).group_by(Tier.name))).all()}
    members_total = sum(per_tier.values())
    last_earn = (select(Entry.member_id, func.max(Entry.created_at).label("last"))
                 .where(Entry.tenant_id == tenant, Entry.kind == "earn")
                 .group_by(Entry.member_id).subquery())
    active = int(await db.scalar(
        select(func.count()).select_from(Member)
        .join(last_earn, last_earn.c.member_id == Member.id)
        .where(in_program, last_earn.c.last >= now() - LAPSED_AFTER)) or 0)
    month = func.to_char(func.date_trunc("month", Entry.created_at), "YYYY-MM")
    issued_expr = func.coalesce(func.sum(case((Entry.points > 0, Entry.points), else_=0)), 0)
    redeemed_expr = func.coalesce(func.sum(case((Entry.kind == "redeem", -Entry.points),
                                                 else_=0)), 0)
    expired_expr = func.coalesce(func.sum(case((Entry.kind == "expire", -Entry.points),
                                               else_=0)), 0)
    rows = (await db.execute(
        select(month, issued_expr, redeemed_expr, expired_expr)
        .join(Member, (Member.tenant_id == Entry.tenant_id) & (Member.id == Entry.member_id))
        .where(Entry.tenant_id == tenant, in_program)
        .group_by(month).order_by(month))).tuples().all()
    per_month = [schemas.MonthOut(m, int(i), int(r), int(x)) for m, i, r, x in rows]
    issued = sum(m.issued for m in per_month)
    redeemed = sum(m.redeemed for m in per_month)
    expired = sum(m.expired for m in per_month)
    outstanding = int(await db.scalar(select(func.coalesce(func.sum(Member.balance), 0))
                                      .where(in_program)) or 0)
    rate = (Decimal(redeemed) / Decimal(issued)) if issued else Decimal(0)
    liability = (Decimal(outstanding) * program.value_per_point
                 * program.expected_redemption_rate).quantize(Decimal("0.01"))
    return schemas.ReportOut(
        program_id=program.id, members=members_total, active_members=active,
        lapsed_members=members_total - active,
        members_per_tier={name or "(none)": n for name, n in per_tier.items()},
        issued=issued, redeemed=redeemed, expired=expired, outstanding=outstanding,
        redemption_rate=f"{rate.quantize(Decimal('0.0001'))}", liability=f"{liability}",
        currency=program.currency, per_month=per_month)


async def tier_history(db: AsyncSession, principal: Principal, member_id: uuid.UUID
                       ) -> list[schemas.TierChangeOut]:
    require_manager(principal)
    member = await get_member(db, principal, member_id)
    rows = (await db.execute(select(TierChange).where(
        TierChange.tenant_id == member.tenant_id, TierChange.member_id == member.id)
        .order_by(TierChange.created_at.desc(), TierChange.id.desc()))).scalars()
    return [schemas.TierChangeOut(r.from_tier, r.to_tier, r.reason, r.created_at) for r in rows]
