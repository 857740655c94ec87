"""Loyalty records: programs and their rules, tiers and rewards; members, cards, the points
ledger, vouchers, tier history and till purchases.

Every table is tenant-owned (PK ``(tenant_id, id)``, composite foreign keys, unique keys
leading with ``tenant_id``). A member's ``balance`` is kept on the member row, so the till
never sums the ledger; its ``CHECK (balance >= 0)`` is the database's refusal to let any
redemption, however concurrent, overdraw it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.sdk import Base, TenantScoped


def _fk(column: str, table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"],
                                ondelete=ondelete)


class Program(TenantScoped, Base):
    __tablename__ = "retail_programs"
    __table_args__ = (UniqueConstraint("tenant_id", "name", name="uq_retail_programs_name"),)

    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    points_per_unit: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    min_purchase: Mapped[Decimal] = mapped_column(Numeric(14, 4), default=Decimal(0))
    rounding: Mapped[str] = mapped_column(String(10), default="down")
    expiry_months: Mapped[int | None] = mapped_column(Integer)
    tier_period: Mapped[str] = mapped_column(String(20), default="calendar_year")
    value_per_point: Mapped[Decimal] = mapped_column(Numeric(12, 4), default=Decimal("0.01"))
    expected_redemption_rate: Mapped[Decimal] = mapped_column(Numeric(5, 4),
                                                              default=Decimal("0.8"))
    birthday_bonus: Mapped[int] = mapped_column(Integer, default=0)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    card_prefix: Mapped[str] = mapped_column(String(8), default="7000")
    next_card: Mapped[int] = mapped_column(BigInteger, default=1)
    signup_bonus: Mapped[int] = mapped_column(Integer, default=0)
    profile_bonus: Mapped[int] = mapped_column(Integer, default=0)
    newsletter_bonus: Mapped[int] = mapped_column(Integer, default=0)
    referral_bonus: Mapped[int] = mapped_column(Integer, default=0)
    # New points wait this many days (the return window) before they count.
    pending_days: Mapped[int] = mapped_column(Integer, default=0)
    # At most this many points earned / redeemed per card per day, program time zone (None:
    # no cap); a member's two cards have a cap each (purchases.py, till.py, purchase_batches).
    daily_earn_cap: Mapped[int | None] = mapped_column(Integer)
    daily_redeem_cap: Mapped[int | None] = mapped_column(Integer)
    # A return after the purchase's points were spent: claw_back, negative or refuse.
    return_rule: Mapped[str] = mapped_column(String(12), default="claw_back")
    # At settlement: straight to the tier the points support, or one tier down per period.
    downgrade: Mapped[str] = mapped_column(String(10), default="supported")
    # Days before the period's end when members below their tier's threshold are warned.
    tier_warning_days: Mapped[int] = mapped_column(Integer, default=30)


class Rule(TenantScoped, Base):
    """A multiplier on the base rate: for one SKU, one category, or (neither) the whole
    basket; optionally only between ``starts_at`` and ``ends_at`` (a bonus campaign)."""

    __tablename__ = "retail_rules"
    __table_args__ = (_fk("program_id", "retail_programs", "CASCADE"),)

    program_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    name: Mapped[str] = mapped_column(String(200))
    sku: Mapped[str | None] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(200))
    multiplier: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Product(TenantScoped, Base):
    """Which category a SKU (a transaction line's ``product``) belongs to."""

    __tablename__ = "retail_products"
    __table_args__ = (UniqueConstraint("tenant_id", "sku", name="uq_retail_products_sku"),)

    sku: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(200))


class Tier(TenantScoped, Base):
    __tablename__ = "retail_tiers"
    __table_args__ = (
        _fk("program_id", "retail_programs", "CASCADE"),
        UniqueConstraint("tenant_id", "program_id", "name", name="uq_retail_tiers_name"),
    )

    program_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    name: Mapped[str] = mapped_column(String(100))
    threshold: Mapped[int] = mapped_column(Integer)
    multiplier: Mapped[Decimal] = mapped_column(Numeric(6, 2), default=Decimal(1))
    perks: Mapped[list[str]] = mapped_column(JSONB, default=list)


class Member(TenantScoped, Base):
    __tablename__ = "retail_members"
    __table_args__ = (
        _fk("program_id", "retail_programs", "CASCADE"),
        _fk("contact_id", "contacts", "CASCADE"),
        _fk("tier_id", "retail_tiers"),
        # A return under the program's ``negative`` rule may take the balance below zero,
        # recording how far in ``debt`` in the same statement; nothing else can.
        CheckConstraint("debt >= 0 AND balance >= -debt", name="balance_floor"),
    )

    program_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    # None once the member's identity was erased (the ledger stays, anonymised).
    contact_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    joined_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                server_default=func.now())
    channel: Mapped[str] = mapped_column(String(40), default="store")
    referred_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    staff: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str | None] = mapped_column(Text)
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    # Points a return took beyond the balance; later earnings repay them first.
    debt: Mapped[int] = mapped_column(BigInteger, default=0)
    pending: Mapped[int] = mapped_column(BigInteger, default=0)
    qualifying_points: Mapped[int] = mapped_column(BigInteger, default=0)
    tier_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    birthday_bonus_year: Mapped[int | None] = mapped_column(Integer)
    # Calendar and anniversary periods: the year this member's period was last settled.
    tier_settled_year: Mapped[int | None] = mapped_column(Integer)
    # Rolling 12-month periods: the first day of the month of the member's last review.
    tier_reviewed_on: Mapped[date | None] = mapped_column(Date)
    # The end of the period the member was last warned about (once a period); rolling
    # windows mark every member weighed before a review, warned or not.
    tier_warned_until: Mapped[date | None] = mapped_column(Date)


class Card(TenantScoped, Base):
    __tablename__ = "retail_cards"
    __table_args__ = (
        _fk("member_id", "retail_members", "CASCADE"),
        UniqueConstraint("tenant_id", "number", name="uq_retail_cards_number"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    number: Mapped[str] = mapped_column(String(19))
    kind: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(10), default="active")
    replaced_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class CardStock(TenantScoped, Base):
    """A range of pre-printed plastic numbers: ``count`` consecutive bodies from
    ``first_body`` (``length`` digits with the check digit). Once a program has stock, its
    plastic cards are issued only from it."""

    __tablename__ = "retail_card_stock"
    __table_args__ = (_fk("program_id", "retail_programs", "CASCADE"),)

    program_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    label: Mapped[str] = mapped_column(String(200))
    first_body: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(Integer)
    length: Mapped[int] = mapped_column(SmallInteger)


class Entry(TenantScoped, Base):
    """One append-only ledger line. Earnings (and positive adjustments) are batches:
    ``remaining`` is what redemptions and expiry have not consumed yet."""

    __tablename__ = "retail_ledger"
    __table_args__ = (_fk("member_id", "retail_members", "CASCADE"),)

    member_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    card_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(10))
    points: Mapped[int] = mapped_column(BigInteger)
    qualifying: Mapped[bool] = mapped_column(Boolean, default=False)
    remaining: Mapped[int] = mapped_column(BigInteger, default=0)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Set while the batch is pending: not redeemable and not qualifying until then.
    available_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    external_id: Mapped[str | None] = mapped_column(String(200))
    transaction_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    reason: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class Reward(TenantScoped, Base):
    __tablename__ = "retail_rewards"
    __table_args__ = (_fk("program_id", "retail_programs", "CASCADE"),)

    program_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    name: Mapped[str] = mapped_column(String(200))
    points_cost: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int | None] = mapped_column(Integer)
    valid_days: Mapped[int] = mapped_column(Integer, default=30)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Voucher(TenantScoped, Base):
    __tablename__ = "retail_vouchers"
    __table_args__ = (
        _fk("member_id", "retail_members", "CASCADE"),
        _fk("reward_id", "retail_rewards", "CASCADE"),
        UniqueConstraint("tenant_id", "code", name="uq_retail_vouchers_code"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    reward_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    code: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(10), default="issued")
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_external_id: Mapped[str | None] = mapped_column(String(200))


class TierChange(TenantScoped, Base):
    __tablename__ = "retail_tier_history"
    __table_args__ = (_fk("member_id", "retail_members", "CASCADE"),)

    member_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    from_tier: Mapped[str | None] = mapped_column(String(100))
    to_tier: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(40))


class TillPurchase(TenantScoped, Base):
    """The till's answer to one ``external_id``: a repeated POST returns it unchanged."""

    __tablename__ = "retail_till_purchases"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id", name="uq_retail_till_purchases_external"),
    )

    external_id: Mapped[str] = mapped_column(String(200))
    answer: Mapped[dict[str, Any]] = mapped_column(JSONB)


class Bought(TenantScoped, Base):
    """How often a member bought a SKU (personal offers read it)."""

    __tablename__ = "retail_bought"
    __table_args__ = (
        _fk("member_id", "retail_members", "CASCADE"),
        UniqueConstraint("tenant_id", "member_id", "sku", name="uq_retail_bought_sku"),
    )

    member_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    sku: Mapped[str] = mapped_column(String(200))
    times: Mapped[int] = mapped_column(Integer, default=1)
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReturnedLine(TenantScoped, Base):
    """How many of a SKU one return of a purchase brought back (returns by line)."""

    __tablename__ = "retail_returned_lines"
    __table_args__ = (_fk("member_id", "retail_members", "CASCADE"),)

    member_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    transaction_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    return_id: Mapped[str] = mapped_column(String(200))
    product: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 4))


MODELS: list[type] = [Program, Rule, Product, Tier, Member, Card, CardStock, Entry, Reward,
                      Voucher, TierChange, TillPurchase, Bought, ReturnedLine]
