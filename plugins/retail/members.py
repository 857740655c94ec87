"""Members and their cards: joining a program, issuing, blocking and replacing cards.

A member's balance and history live on the member, not the card: a replacement card
carries on where the old one stopped, and a member may hold several cards.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Contact, Principal, TenantHooks, audit, conflict, invalid, not_found
from rapport_plugins.retail import bonuses, cardnumbers, events, schemas, stock, tiers
from rapport_plugins.retail.ledger import Source, by_external_id, credit, lock_member
from rapport_plugins.retail.models import Bought, Card, Member, Program, Tier
from rapport_plugins.retail.programs import get_program
from rapport_plugins.retail.roles import require_manager, require_till


def card_out(c: Card) -> schemas.CardOut:
    return schemas.CardOut(id=c.id, member_id=c.member_id, number=c.number, kind=c.kind,
                           state=c.state, replaced_by=c.replaced_by, created_at=c.created_at)


async def member_out(db: AsyncSession, m: Member) -> schemas.MemberOut:
    cards = (await db.execute(select(Card).where(Card.tenant_id == m.tenant_id,
                                                 Card.member_id == m.id)
                              .order_by(Card.created_at, Card.id))).scalars()
    tier = None
    if m.tier_id is not None:
        tier = await db.scalar(select(Tier.name).where(Tier.tenant_id == m.tenant_id,
                                                       Tier.id == m.tier_id))
    return schemas.MemberOut(
        id=m.id, program_id=m.program_id, contact_id=m.contact_id, erased_at=m.erased_at,
        joined_at=m.joined_at,
        channel=m.channel, referred_by=m.referred_by, staff=m.staff, notes=m.notes,
        balance=m.balance, pending=m.pending, qualifying_points=m.qualifying_points, tier=tier,
        cards=[card_out(c) for c in cards])


async def get_member(db: AsyncSession, principal: Principal, member_id: uuid.UUID) -> Member:
    member = (await db.execute(select(Member).where(
        Member.tenant_id == principal.tenant_id, Member.id == member_id))).scalar_one_or_none()
    if member is None:
        raise not_found("Member")
    return member


async def _new_number(db: AsyncSession, program: Program) -> str:
    # The program row is the card counter: one UPDATE … RETURNING hands out each number once.
    sequence = await db.scalar(
        update(Program).where(Program.tenant_id == program.tenant_id, Program.id == program.id)
        .values(next_card=Program.next_card + 1).returning(Program.next_card - 1))
    return cardnumbers.generated(program.card_prefix, int(sequence or 0))


async def issue_card(db: AsyncSession, member: Member, program: Program, kind: str,
                     number: str | None, field: str = "card_number") -> Card:
    if kind == "plastic" and number is None:
        raise invalid(field, "a plastic card is registered with the number printed on it")
    if number is not None:
        number = cardnumbers.normal(field, number)
        if kind == "plastic":
            await stock.require_in_stock(db, program, number, field)
    else:
        number = await _new_number(db, program)
    card = Card(tenant_id=member.tenant_id, member_id=member.id, number=number, kind=kind,
                state="active")
    db.add(card)
    try:
        async with db.begin_nested():
            await db.flush()
    except IntegrityError:
        raise conflict(f"{field}: this card number is already registered",
                       field=field) from None
    return card


async def join(db: AsyncSession, principal: Principal, hooks: TenantHooks | None,
               data: schemas.MemberIn) -> Member:
    require_till(principal)
    program = await get_program(db, principal, data.program_id)
    # The contact row's lock makes "not a member yet" hold until this transaction ends.
    contact = await db.scalar(select(Contact.id).where(
        Contact.tenant_id == principal.tenant_id, Contact.id == data.contact_id,
        Contact.deleted_at.is_(None)).with_for_update())
    if contact is None:
        raise invalid("contact_id", "no such contact")
    if await db.scalar(select(Member.id).where(
            Member.tenant_id == principal.tenant_id, Member.program_id == program.id,
            Member.contact_id == data.contact_id)) is not None:
        raise conflict("This contact is already a member of the program")
    if data.referred_by is not None:
        referrer = await db.scalar(select(Member.id).where(
            Member.tenant_id == principal.tenant_id, Member.id == data.referred_by,
            Member.program_id == program.id))
        if referrer is None:
            raise invalid("referred_by", "no such member of this program")
    member = Member(tenant_id=principal.tenant_id, program_id=program.id,
                    contact_id=data.contact_id, channel=data.channel,
                    referred_by=data.referred_by, staff=data.staff, notes=data.notes,
                    balance=0, qualifying_points=0,
                    # Nothing before the period they join in is theirs to settle.
                    tier_settled_year=tiers.period_start(program).year,
                    tier_reviewed_on=tiers.month_start(program).date())
    db.add(member)
    await db.flush()
    card = await issue_card(db, member, program, data.card_kind, data.card_number)
    await _welcome(db, principal, member, program)
    await bonuses.profile(db, principal.tenant_id, data.contact_id)
    await audit.record(db, principal, audit.CREATE, events.RECORD_TYPE, member.id,
                       audit.diff({}, {"contact_id": str(member.contact_id),
                                       "program_id": str(program.id), "card": card.number}))
    await events.publish(db, principal, hooks, events.MEMBER_JOINED, principal.tenant_id,
                         member.id, {"member_id": str(member.id),
                                     "contact_id": str(member.contact_id),
                                     "program_id": str(program.id), "channel": member.channel,
                                     "referred_by": str(member.referred_by)
                                     if member.referred_by else None})
    return member


async def _welcome(db: AsyncSession, principal: Principal, member: Member,
                   program: Program) -> None:
    """The program's sign-up bonus, and its referral bonus to both sides — once each: the
    entries' external ids (``signup``, ``referral:<new member>``) are unique per member."""
    by = principal.user_id
    if program.signup_bonus:
        await credit(db, member, program, "bonus", program.signup_bonus, qualifying=False,
                     source=Source(external_id="signup", reason="sign-up", recorded_by=by))
    if program.referral_bonus and member.referred_by is not None:
        key = f"referral:{member.id}"
        await credit(db, member, program, "bonus", program.referral_bonus, qualifying=False,
                     source=Source(external_id=key, reason="referred by a friend",
                                   recorded_by=by))
        referrer = await lock_member(db, member.tenant_id, member.referred_by)
        if await by_external_id(db, referrer, key) is None:
            await credit(db, referrer, program, "bonus", program.referral_bonus,
                         qualifying=False,
                         source=Source(external_id=key, reason="referred a friend",
                                       recorded_by=by))


async def card_by_number(db: AsyncSession, tenant_id: uuid.UUID, number: str,
                         field: str = "number") -> Card:
    number = cardnumbers.normal(field, number)
    card = (await db.execute(select(Card).where(Card.tenant_id == tenant_id,
                                                Card.number == number))).scalar_one_or_none()
    if card is None:
        raise not_found("Card")
    return card


def require_active(number: str, state: str, replacement: str | None = None) -> None:
    """409 for a card that cannot be used, naming its state (and its replacement)."""
    if state == "active":
        return
    if state == "replaced":
        raise conflict(f"Card {number} was replaced"
                       + (f" by card {replacement}" if replacement else ""),
                       state=state, replaced_by=replacement)
    raise conflict(f"Card {number} is {state}", state=state)


async def replacement_number(db: AsyncSession, card: Card) -> str | None:
    if card.replaced_by is None:
        return None
    return await db.scalar(select(Card.number).where(Card.tenant_id == card.tenant_id,
                                                     Card.id == card.replaced_by))


async def block(db: AsyncSession, principal: Principal, hooks: TenantHooks, number: str,
                state: str) -> Card:
    require_manager(principal)
    card = await card_by_number(db, principal.tenant_id, number)
    if card.state == "replaced":
        raise conflict(f"Card {card.number} was replaced; block its replacement instead",
                       state=card.state)
    before = card.state
    card.state = state
    await db.flush()
    await audit.record(db, principal, audit.UPDATE, events.RECORD_TYPE, card.member_id,
                       audit.diff({"card": card.number, "state": before},
                                  {"card": card.number, "state": state}))
    await events.publish(db, principal, hooks, events.CARD_BLOCKED, principal.tenant_id,
                         card.member_id, {"card": card.number, "state": state})
    return card


async def add_card(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                   member_id: uuid.UUID, data: schemas.CardIn) -> Card:
    """Another card for the member (a family's second card, a virtual one beside the
    plastic): the balance, tier and history stay the member's; each card has its own daily
    earn and redeem caps. An erased member gets none (409)."""
    require_till(principal)
    member = await get_member(db, principal, member_id)
    if member.erased_at is not None:
        raise conflict("This member was erased: no new cards", state="erased")
    program = await get_program(db, principal, member.program_id)
    card = await issue_card(db, member, program, data.kind, data.number, field="number")
    await audit.record(db, principal, audit.UPDATE, events.RECORD_TYPE, member.id,
                       audit.diff({}, {"card": card.number}))
    await events.publish(db, principal, hooks, events.CARD_ISSUED, principal.tenant_id,
                         member.id, {"member_id": str(member.id), "card": card.number,
                                     "kind": card.kind})
    return card


async def replace(db: AsyncSession, principal: Principal, hooks: TenantHooks, number: str,
                  data: schemas.ReplaceIn) -> Card:
    """A new card for the same member (balance and history go with the member); the old
    one answers 409 naming its replacement from now on."""
    require_manager(principal)
    old = await card_by_number(db, principal.tenant_id, number)
    if old.state == "replaced":
        raise conflict(f"Card {old.number} was already replaced", state=old.state)
    member = await get_member(db, principal, old.member_id)
    program = await get_program(db, principal, member.program_id)
    new = await issue_card(db, member, program, data.kind, data.number, field="number")
    old.state, old.replaced_by = "replaced", new.id
    await db.flush()
    await audit.record(db, principal, audit.UPDATE, events.RECORD_TYPE, member.id,
                       audit.diff({"card": old.number}, {"card": new.number}))
    await events.publish(db, principal, hooks, events.CARD_REPLACED, principal.tenant_id,
                         member.id, {"old": old.number, "new": new.number})
    return new


async def erase(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                member_id: uuid.UUID) -> Member:
    """Erase the member's identity on request (GDPR): the link to the contact, the notes and
    the cards go; the ledger, vouchers and tier history stay, anonymised, for the accounts.
    Erasing twice changes nothing."""
    require_manager(principal)
    member = await lock_member(db, principal.tenant_id, member_id)
    if member.erased_at is not None:
        return member
    await _anonymise(db, member)
    await audit.record(db, principal, audit.DELETE, events.RECORD_TYPE, member.id,
                       detail={"erased": "identity; ledger kept anonymised"})
    await events.publish(db, principal, hooks, events.MEMBER_ERASED, member.tenant_id,
                         member.id, {"member_id": str(member.id)})
    return member


async def contact_purged(db: AsyncSession, actor: Principal | None, tenant_id: uuid.UUID,
                         contact_id: uuid.UUID) -> int:
    """The contact is being deleted for good (``contact.purged``, in the purge's
    transaction, before its row goes): its memberships are erased as on request rather
    than deleted with it, so the ledger stays, anonymised, for the accounts. The kernel's
    audit entry of the purge covers it; a person's purge is also logged per member."""
    ids = list((await db.execute(select(Member.id).where(
        Member.tenant_id == tenant_id, Member.contact_id == contact_id)
        .order_by(Member.id))).scalars())
    for member_id in ids:
        member = await lock_member(db, tenant_id, member_id)
        await _anonymise(db, member)
        if actor is not None:
            await audit.record(db, actor, audit.DELETE, events.RECORD_TYPE, member.id,
                               detail={"erased": "contact purged; ledger kept anonymised"})
        await events.publish(db, actor, None, events.MEMBER_ERASED, tenant_id, member.id,
                             {"member_id": str(member.id)})
    return len(ids)


async def _anonymise(db: AsyncSession, member: Member) -> None:
    await db.execute(delete(Card).where(Card.tenant_id == member.tenant_id,
                                        Card.member_id == member.id))
    await db.execute(delete(Bought).where(Bought.tenant_id == member.tenant_id,
                                          Bought.member_id == member.id))
    member.contact_id, member.notes, member.referred_by = None, None, None
    member.erased_at = func.now()
    await db.flush()
    await db.refresh(member, ["erased_at"])
