"""Returns at the till: a full or partial refund of a till purchase takes back the points
it earned, in proportion to the money returned, and gives back the points it redeemed in
the same proportion (a new batch with a new expiry).

The earned points come back first from what is left of the purchase's own batch. If the
member already spent some of them, the program's ``return_rule`` decides:

- ``claw_back`` (default): from the member's other points, oldest-expiring first; when the
  balance cannot cover it the return is refused (409) and nothing is written;
- ``negative``: what the balance covers is taken, the rest leaves the balance below zero
  (``debt``) until later earnings repay it, as Talon.One and Square allow;
- ``refuse``: the return is refused (409), nothing written — the shop settles it by hand.

Each return is kept once by its ``return_id``; the returns of
one purchase can never add up to more than its amount. Qualifying points go down with the
points taken back; the tier follows at the period's settlement.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, TenantHooks, audit, conflict, invalid, not_found
from rapport_plugins.retail import events, schemas
from rapport_plugins.retail.ledger import (
    Source,
    by_external_id,
    credit,
    debit,
    lock_member,
    take_back,
)
from rapport_plugins.retail.models import Entry, Program, TillPurchase
from rapport_plugins.retail.numbers import decimal
from rapport_plugins.retail.roles import require_till


def _share(points: int, fraction: Decimal) -> int:
    return int((points * fraction).to_integral_value(rounding=ROUND_FLOOR))


async def refund(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                 data: schemas.ReturnIn) -> schemas.ReturnOut:
    require_till(principal)
    amount = decimal("amount", data.amount, positive=True)
    answer = await db.scalar(select(TillPurchase.answer).where(
        TillPurchase.tenant_id == principal.tenant_id,
        TillPurchase.external_id == data.purchase_external_id))
    if answer is None:
        raise not_found("Purchase")
    member = await lock_member(db, principal.tenant_id, answer["member_id"])
    key = f"return:{data.return_id}"
    done = await by_external_id(db, member, key)
    if done is not None:
        back = await by_external_id(db, member, key + "#back")
        return schemas.ReturnOut(member.id, -done.points, back.points if back else 0,
                                 member.balance)
    transaction = answer["transaction_id"]
    earned = (await db.execute(select(Entry).where(
        Entry.tenant_id == member.tenant_id, Entry.kind == "earn",
        Entry.transaction_id == transaction).with_for_update())).scalar_one_or_none()
    if earned is None or not earned.amount:
        raise conflict("purchase_external_id: this purchase earned no points to return",
                       field="purchase_external_id")
    paid: Decimal = earned.amount
    returned_before = await db.scalar(select(func.coalesce(func.sum(Entry.amount), 0)).where(
        Entry.tenant_id == member.tenant_id, Entry.member_id == member.id,
        Entry.kind == "reverse", Entry.transaction_id == transaction, Entry.points <= 0))
    left = paid - Decimal(returned_before or 0)
    if amount > left:
        raise invalid("amount", f"more than is left of the purchase ({left})")
    fraction = amount / paid
    take = _share(earned.points, fraction)
    program = (await db.execute(select(Program).where(
        Program.tenant_id == member.tenant_id, Program.id == member.program_id))).scalar_one()
    source = Source(external_id=key, transaction_id=transaction, amount=amount,
                    reason=f"return {data.return_id}", recorded_by=principal.user_id)
    if earned.available_at is not None:  # still pending: leave the pending batch smaller
        from_batch = min(take, earned.remaining)
        earned.remaining -= from_batch
        member.pending -= from_batch
        db.add(Entry(tenant_id=member.tenant_id, member_id=member.id, kind="reverse",
                     points=-from_batch, qualifying=earned.qualifying, remaining=0,
                     external_id=key, transaction_id=transaction, amount=amount,
                     reason=source.reason, recorded_by=principal.user_id))
        await db.flush()
    elif take > earned.remaining and program.return_rule == "refuse":
        raise conflict(f"amount: {take - earned.remaining} of the purchase's points were "
                       "already spent, and the program refuses such returns",
                       field="amount", spent=take - earned.remaining)
    elif take > earned.remaining and program.return_rule == "negative":
        await take_back(db, member, take, qualifying=earned.qualifying, source=source,
                        first=earned.id)
    else:
        # Its own batch first (consumed first below, since it is then the oldest to go).
        await debit(db, member, "reverse", take, qualifying=earned.qualifying, source=source,
                    field="amount", first=earned.id)
    redeemed = await db.scalar(select(func.coalesce(func.sum(-Entry.points), 0)).where(
        Entry.tenant_id == member.tenant_id, Entry.member_id == member.id,
        Entry.kind == "redeem", Entry.transaction_id == transaction))
    given = _share(int(redeemed or 0), fraction)
    if given:
        await credit(db, member, program, "reverse", given, qualifying=False,
                     source=Source(external_id=key + "#back", transaction_id=transaction,
                                   reason=f"redeemed points of return {data.return_id}",
                                   recorded_by=principal.user_id))
    await audit.record(db, principal, audit.UPDATE, events.RECORD_TYPE, member.id,
                       audit.diff({}, {"return": data.return_id, "points": -take,
                                       "given_back": given}))
    await events.publish(db, principal, hooks, events.POINTS_REVERSED, member.tenant_id,
                         member.id, {"member_id": str(member.id), "points": take,
                                     "given_back": given, "transaction_id": str(transaction),
                                     "balance": member.balance})
    return schemas.ReturnOut(member.id, take, given, member.balance)
