"""The till: the cashier's view of a scanned card, and recording a purchase.

The card view is one statement of indexed look-ups by key (``scan.py``: card number →
member, program, contact, tiers; the member's vouchers, last visits and offers): the
balance is a column, never a sum over the ledger, so the view costs the same for a member
with ten entries or ten thousand, on a tenant of a thousand members or a million.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Contact,
    Principal,
    ReadTransaction,
    TenantHooks,
    audit,
    conflict,
    invalid,
    not_found,
    record_transaction,
    salutation,
)
from rapport_plugins.retail import cardnumbers, members, rewards, scan, schemas
from rapport_plugins.retail.ledger import Source, debit, lock_member, now, today_total
from rapport_plugins.retail.models import Card, Entry, Member, Program, Tier, TillPurchase
from rapport_plugins.retail.numbers import decimal
from rapport_plugins.retail.purchases import TILL_CARD, TILL_HOOKS
from rapport_plugins.retail.roles import require_till


def days_to_birthday(birthday: date, today: date) -> int:
    def on(year: int) -> date:
        try:
            return birthday.replace(year=year)
        except ValueError:  # 29 February in a common year: the 28th
            return date(year, 2, 28)

    upcoming = on(today.year)
    if upcoming < today:
        upcoming = on(today.year + 1)
    return (upcoming - today).days


def today_in(program: Program) -> date:
    return now().astimezone(ZoneInfo(program.time_zone)).date()


async def scanned(db: AsyncSession, principal: Principal, number: str
                  ) -> tuple[Card, Member, Program, Contact]:
    """The card, its member, program and contact in one statement; 404 unknown, 409 not
    usable (naming the replacement card)."""
    number = cardnumbers.normal("number", number)
    row = (await db.execute(
        select(Card, Member, Program, Contact)
        .join(Member, (Member.tenant_id == Card.tenant_id) & (Member.id == Card.member_id))
        .join(Program, (Program.tenant_id == Member.tenant_id) & (Program.id == Member.program_id))
        .join(Contact, (Contact.tenant_id == Member.tenant_id)
              & (Contact.id == Member.contact_id))
        .where(Card.tenant_id == principal.tenant_id, Card.number == number))).one_or_none()
    if row is None:
        raise not_found("Card")
    card, member, program, contact = row
    if card.state != "active":
        members.require_active(card.number, card.state,
                               await members.replacement_number(db, card))
    return card, member, program, contact


async def card_view(db: AsyncSession | ReadTransaction, principal: Principal, number: str
                    ) -> schemas.CardView:
    """The cashier's view of a scanned card: one statement (``scan.SQL``), its rows decoded
    straight into the answer. ``db``: the request's ``reads`` (the till's route: no ORM
    session) or a session (the console's cashier screen)."""
    require_till(principal)
    found = await scan.scan(db, principal.tenant_id, cardnumbers.normal("number", number))
    if found is None:
        raise not_found("Card")
    members.require_active(found.number, found.state, found.replacement)
    current = next((t for t in found.tiers if t.id == found.tier_id), None)
    upcoming = next((t for t in found.tiers if t.threshold > found.qualifying_points), None)
    language = found.language or found.default_locale or "en"
    shown = found.display_name or found.email or ""
    today = now().astimezone(ZoneInfo(found.time_zone)).date()
    days = days_to_birthday(found.birthday, today) if found.birthday else None
    perks = list(current.perks) if current else []
    notes = [found.notes] if found.notes else []
    if found.staff:
        notes.append("Staff card")  # translated by the screen (console words)
    return schemas.CardView(
        card_number=found.number, card_kind=found.kind, member_id=found.member_id,
        contact_id=found.contact_id, program=found.program, currency=found.currency,
        display_name=shown, salutation=salutation(found.names, language, shown),
        language=language, birthday_today=days == 0, days_to_birthday=days,
        staff=found.staff,
        tier=schemas.TierProgress(
            name=current.name if current else None, perks=perks,
            qualifying_points=found.qualifying_points,
            next_tier=upcoming.name if upcoming else None,
            points_to_next=(upcoming.threshold - found.qualifying_points)
            if upcoming else None,
            points_to_keep=max(0, current.threshold - found.qualifying_points)
            if current else 0),
        balance=found.balance, pending=found.pending, vouchers=found.vouchers,
        offers=[schemas.Offer("perk", p) for p in perks] + found.offers,
        notes=notes, last_visits=found.visits)


class _Line:
    """A till line as the kernel's pricing reads it (product, quantity, unit price)."""

    def __init__(self, line: schemas.TillLineIn, index: int) -> None:
        self.product = line.product
        self.quantity = decimal(f"lines[{index}].quantity", line.quantity, positive=True)
        self.unit_price = decimal(f"lines[{index}].unit_price", line.unit_price)


async def purchase(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                   data: schemas.PurchaseIn) -> schemas.PurchaseOut:
    """Record the purchase as a kernel transaction (earning follows its event), redeem the
    voucher and points asked for, and keep the answer under ``external_id``: a repeat gets
    the same answer and changes nothing."""
    require_till(principal)
    earlier = await _answered(db, principal, data.external_id)
    if earlier is not None:
        return earlier
    card, member, program, _ = await scanned(db, principal, data.card_number)
    if data.currency.upper() != program.currency:
        raise invalid("currency", f"the program {program.name!r} takes {program.currency}")
    amount = decimal("amount", data.amount, positive=True) if data.amount is not None else None
    if amount is None and not data.lines:
        raise invalid("amount", "required when there are no lines")
    body: dict[str, Any] = {
        "currency": program.currency, "occurred_at": data.occurred_at or now(),
        "channel": "store", "external_id": data.external_id, "kind": "purchase",
        "contact_id": member.contact_id, "amount": amount, "point_of_sale": data.point_of_sale,
        "lines": [_Line(x, i) for i, x in enumerate(data.lines)],
    }
    tier_before = await _tier_name(db, member)
    db.info[TILL_CARD], db.info[TILL_HOOKS] = (member.id, card.id), hooks
    try:
        recorded = await record_transaction(db, principal, body, hooks)
    finally:
        db.info.pop(TILL_CARD, None)
        db.info.pop(TILL_HOOKS, None)
    if not recorded.created:
        # A concurrent request with this id committed first: answer as it did.
        again = await _answered(db, principal, data.external_id)
        if again is not None:
            return again
    txn_id = recorded.transaction.id
    member = await lock_member(db, principal.tenant_id, member.id)
    earned = await db.scalar(select(Entry.points).where(
        Entry.tenant_id == member.tenant_id, Entry.kind == "earn",
        Entry.transaction_id == txn_id)) or 0
    voucher = None
    if data.voucher_code:
        voucher = await rewards.use_voucher(db, principal, hooks, member, data.voucher_code,
                                            data.external_id)
    redeemed = 0
    if data.redeem_points:
        if program.daily_redeem_cap is not None:
            done = await today_total(db, member, program, "redeem", card.id)
            if done + data.redeem_points > program.daily_redeem_cap:
                raise conflict(f"redeem_points: the daily cap is {program.daily_redeem_cap} "
                               f"points a card and {done} were redeemed on card "
                               f"{card.number} today", field="redeem_points")
        await debit(db, member, "redeem", data.redeem_points, field="redeem_points",
                    source=Source(external_id=f"{data.external_id}#redeem",
                                  transaction_id=txn_id, card_id=card.id,
                                  recorded_by=principal.user_id))
        redeemed = data.redeem_points
    answer = schemas.PurchaseOut(
        transaction_id=txn_id, member_id=member.id, points_earned=int(earned),
        points_redeemed=redeemed, balance=member.balance, tier_before=tier_before,
        tier_after=await _tier_name(db, member), voucher=voucher)
    db.add(TillPurchase(tenant_id=principal.tenant_id, external_id=data.external_id,
                        answer=audit.jsonable(_as_dict(answer))))
    await db.flush()
    return answer


def _as_dict(answer: schemas.PurchaseOut) -> dict[str, Any]:
    built: dict[str, Any] = msgspec.to_builtins(answer)
    return built


async def _answered(db: AsyncSession, principal: Principal, external_id: str
                    ) -> schemas.PurchaseOut | None:
    stored = await db.scalar(select(TillPurchase.answer).where(
        TillPurchase.tenant_id == principal.tenant_id, TillPurchase.external_id == external_id))
    return msgspec.convert(stored, schemas.PurchaseOut) if stored is not None else None


async def _tier_name(db: AsyncSession, member: Member) -> str | None:
    if member.tier_id is None:
        return None
    return await db.scalar(select(Tier.name).where(Tier.tenant_id == member.tenant_id,
                                                   Tier.id == member.tier_id))

