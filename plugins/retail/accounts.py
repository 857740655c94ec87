"""A member's points seen and changed by a manager: the ledger page and adjustments."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks, audit, decode_id, encode_cursor, invalid
from rapport_plugins.retail import events, schemas, tiers
from rapport_plugins.retail.ledger import Source, by_external_id, credit, debit, lock_member
from rapport_plugins.retail.members import get_member
from rapport_plugins.retail.models import Entry, Program
from rapport_plugins.retail.numbers import text
from rapport_plugins.retail.programs import tiers_of
from rapport_plugins.retail.roles import require_manager


def entry_out(e: Entry) -> schemas.EntryOut:
    return schemas.EntryOut(id=e.id, kind=e.kind, points=e.points, qualifying=e.qualifying,
                            remaining=e.remaining, expires_at=e.expires_at,
                            external_id=e.external_id, transaction_id=e.transaction_id,
                            amount=text(e.amount), reason=e.reason, created_at=e.created_at)


async def ledger_page(db: AsyncSession, principal: Principal, member_id: uuid.UUID,
                      cursor: str | None, limit: int) -> schemas.LedgerPage:
    """Newest first, keyset by id (ids are time-ordered)."""
    require_manager(principal)
    member = await get_member(db, principal, member_id)
    query = (select(Entry).where(Entry.tenant_id == member.tenant_id,
                                 Entry.member_id == member.id)
             .order_by(Entry.id.desc()).limit(limit + 1))
    if cursor is not None:
        query = query.where(Entry.id < decode_id(cursor))
    rows = list((await db.execute(query)).scalars())
    more = len(rows) > limit
    rows = rows[:limit]
    return schemas.LedgerPage(balance=member.balance, items=[entry_out(e) for e in rows],
                              next_cursor=encode_cursor(rows[-1].id) if more else None)


async def adjust(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                 member_id: uuid.UUID, data: schemas.AdjustmentIn) -> schemas.EntryOut:
    """A manual correction with a reason, audited; a repeat of ``external_id`` answers the
    entry already written."""
    require_manager(principal)
    member = await lock_member(db, principal.tenant_id, member_id)
    earlier = await by_external_id(db, member, data.external_id)
    if earlier is not None:
        return entry_out(earlier)
    source = Source(external_id=data.external_id, reason=data.reason,
                    recorded_by=principal.user_id)
    if data.points == 0:
        raise invalid("points", "must not be 0")
    if data.points > 0:
        program = (await db.execute(select(Program).where(
            Program.tenant_id == member.tenant_id, Program.id == member.program_id))
        ).scalar_one()
        entry = await credit(db, member, program, "adjust", data.points,
                             qualifying=data.qualifying, source=source)
        await tiers.settle(db, member, await tiers_of(db, member.tenant_id, program.id),
                           "adjustment", actor=principal, hooks=hooks)
    else:
        entry = await debit(db, member, "adjust", -data.points, qualifying=data.qualifying,
                            source=source)
    await audit.record(db, principal, audit.UPDATE, events.RECORD_TYPE, member.id,
                       audit.diff({"balance": member.balance - data.points},
                                  {"balance": member.balance}),
                       detail={"reason": data.reason})
    await events.publish(db, principal, hooks, events.POINTS_ADJUSTED, member.tenant_id,
                         member.id, {"member_id": str(member.id), "points": data.points,
                                     "reason": data.reason, "balance": member.balance})
    return entry_out(entry)
