"""Returns: a full or partial refund of a purchase — made at the till, or recorded through
``POST /api/v1/transactions`` and earned through the outbox — takes back the points it
earned and gives back the points it redeemed (a new batch with a new expiry), in
proportion to the money returned. A return by ``lines`` takes back what those lines earned
under the rules that earned them (``earning.line_weights``), at their price in the
purchase, and never more of a SKU than was sold (``retail_returned_lines``).

The earned points come back first from what is left of the purchase's own batch. If the
member already spent some of them, the program's ``return_rule`` decides:

- ``claw_back`` (default): from the member's other points, oldest-expiring first; when the
  balance cannot cover it the return is refused (409) and nothing is written;
- ``negative``: what the balance covers is taken, the rest leaves the balance below zero
  (``debt``) until later earnings repay it, as Talon.One and Square allow;
- ``refuse``: the return is refused (409), nothing written — the shop settles it by hand.

Each return is kept once by its ``return_id``; the returns of one purchase can never add up
to more than its amount. Qualifying points go down with the points taken back; the tier
follows at the period's settlement.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Principal,
    TenantHooks,
    audit,
    conflict,
    find_transaction,
    invalid,
    not_found,
)
from rapport_plugins.retail import events, schemas
from rapport_plugins.retail.earning import Line, line_weights
from rapport_plugins.retail.ledger import (
    Source,
    by_external_id,
    credit,
    debit,
    lock_member,
    take_back,
)
from rapport_plugins.retail.models import Entry, Member, Product, Program, ReturnedLine, Rule
from rapport_plugins.retail.numbers import decimal
from rapport_plugins.retail.roles import require_till


def _share(points: int, fraction: Decimal) -> int:
    return int((points * fraction).to_integral_value(rounding=ROUND_FLOOR))


async def refund(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                 data: schemas.ReturnIn) -> schemas.ReturnOut:
    require_till(principal)
    if (data.amount is None) == (not data.lines):
        raise invalid("amount", "give the money returned (amount) or the lines returned "
                      "(lines): one of the two")
    # Any purchase that earned: at the till, or recorded elsewhere and earned through the
    # transaction.recorded event — both are kernel transactions under the shop's own id.
    txn = await find_transaction(db, principal, data.purchase_external_id)
    if txn is None:
        raise not_found("Purchase")
    holder = await db.scalar(select(Entry.member_id).where(
        Entry.tenant_id == principal.tenant_id, Entry.kind == "earn",
        Entry.transaction_id == txn.id))
    if holder is None:
        # Below the minimum, no member, a gift card — or recorded outside the till a moment
        # ago and not earned yet (the worker earns it after commit): then a retry succeeds.
        raise conflict("purchase_external_id: this purchase has no points to return (none "
                       "earned, or not yet: a purchase recorded outside the till earns "
                       "moments after it is recorded)", field="purchase_external_id")
    member = await lock_member(db, principal.tenant_id, holder)
    key = f"return:{data.return_id}"
    done = await by_external_id(db, member, key)
    if done is not None:
        back = await by_external_id(db, member, key + "#back")
        return schemas.ReturnOut(member.id, -done.points, back.points if back else 0,
                                 member.balance)
    transaction = txn.id
    earned = (await db.execute(select(Entry).where(
        Entry.tenant_id == member.tenant_id, Entry.kind == "earn",
        Entry.transaction_id == transaction).with_for_update())).scalar_one()
    if not earned.amount:
        raise conflict("purchase_external_id: this purchase earned no points to return",
                       field="purchase_external_id")
    paid: Decimal = earned.amount
    returned_before = await db.scalar(select(func.coalesce(func.sum(Entry.amount), 0)).where(
        Entry.tenant_id == member.tenant_id, Entry.member_id == member.id,
        Entry.kind == "reverse", Entry.transaction_id == transaction, Entry.points <= 0))
    left = paid - Decimal(returned_before or 0)
    if data.amount is not None:
        amount = decimal("amount", data.amount, positive=True)
        weight = amount / paid
    else:
        amount, weight = await _lines_back(db, member, txn, data)
    if amount > left:
        raise invalid("amount", f"more than is left of the purchase ({left})")
    fraction = amount / paid
    take = _share(earned.points, weight)
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


async def _lines_back(db: AsyncSession, member: Member, txn: Any,
                      data: schemas.ReturnIn) -> tuple[Decimal, Decimal]:
    """A return by line: the money it brings back (each SKU at its price in the purchase)
    and its share of the purchase's points (the lines' parts under the rules that earned
    them, ``earning.line_weights``); the SKUs' quantities are recorded, and a SKU can never
    come back more often than it was sold."""
    if not txn.lines:
        raise invalid("lines", "this purchase was recorded without lines: return an amount")
    sold: dict[str, list[Decimal]] = {}  # SKU -> [quantity, money]
    for line in txn.lines:
        figures = sold.setdefault(line.product, [Decimal(0), Decimal(0)])
        figures[0] += line.quantity
        figures[1] += line.amount
    wanted: dict[str, Decimal] = {}
    for index, line in enumerate(data.lines):
        if line.product not in sold:
            raise invalid(f"lines[{index}].product", f"{line.product!r} is not in this purchase")
        quantity = decimal(f"lines[{index}].quantity", line.quantity, positive=True)
        wanted[line.product] = wanted.get(line.product, Decimal(0)) + quantity
    before = dict((await db.execute(select(ReturnedLine.product, func.sum(ReturnedLine.quantity))
                                    .where(ReturnedLine.tenant_id == member.tenant_id,
                                           ReturnedLine.transaction_id == txn.id)
                                    .group_by(ReturnedLine.product))).tuples().all())
    for index, line in enumerate(data.lines):
        left = sold[line.product][0] - Decimal(before.get(line.product) or 0)
        if wanted[line.product] > left:
            raise invalid(f"lines[{index}].quantity",
                          f"more {line.product!r} than is left of the purchase ({left})")
    rules = list((await db.execute(select(Rule).where(
        Rule.tenant_id == member.tenant_id, Rule.program_id == member.program_id))).scalars())
    categories = dict((await db.execute(select(Product.sku, Product.category).where(
        Product.tenant_id == member.tenant_id, Product.sku.in_(sold)))).tuples().all())
    lines = [Line(x.product, x.amount) for x in txn.lines]
    weights = line_weights(rules, categories, lines, txn.occurred_at)
    whole = sum(weights, Decimal(0))
    money = weight = Decimal(0)
    for line, part in zip(lines, weights, strict=True):
        share = wanted.get(line.product, Decimal(0)) / sold[line.product][0]
        money += line.amount * share
        weight += part * share
    for product, quantity in wanted.items():
        db.add(ReturnedLine(tenant_id=member.tenant_id, member_id=member.id,
                            transaction_id=txn.id, return_id=data.return_id,
                            product=product, quantity=quantity))
    return money.quantize(Decimal("0.0001")), (weight / whole if whole else Decimal(0))
