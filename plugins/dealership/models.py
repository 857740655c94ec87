"""The dealership's tables: catalogue, stock, orders with their money and log, promises,
and the incentive records. Every table is tenant-owned (PK ``(tenant_id, id)``, composite
foreign keys, forced RLS in ``migrations/versions/dealership_0001``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.sdk import Base, TenantScoped


def _fk(column: str, table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"],
                                ondelete=ondelete)


class Vehicle(TenantScoped, Base):
    """A vehicle definition the dealer sells: make, model, year, trim and its colours."""

    __tablename__ = "dealership_vehicles"

    make: Mapped[str] = mapped_column(String(60))
    model: Mapped[str] = mapped_column(String(60))
    model_year: Mapped[int] = mapped_column(Integer)
    trim: Mapped[str] = mapped_column(String(60))
    body: Mapped[str | None] = mapped_column(String(40))
    engine: Mapped[str | None] = mapped_column(String(60))
    # [{"code": "PX8", "name": "Polar white"}]: the manufacturer's paint codes.
    colours: Mapped[list[dict[str, str]]] = mapped_column(JSONB, default=list)
    # [{"code": "WP1", "name": "Winter pack", "price_minor": 120000}]
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    base_price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))


class StockUnit(TenantScoped, Base):
    __tablename__ = "dealership_stock"
    __table_args__ = (_fk("vehicle_id", "dealership_vehicles"),)

    vehicle_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    vin: Mapped[str] = mapped_column(String(17))
    colour_code: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="in_stock")
    order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    branch: Mapped[str | None] = mapped_column(String(100))


class Order(TenantScoped, Base):
    """A buyer's vehicle order; ``state`` mirrors its ``dealership.order`` workflow."""

    __tablename__ = "dealership_orders"
    __table_args__ = (
        _fk("contact_id", "contacts", "CASCADE"),
        _fk("salesperson_id", "memberships"),
        _fk("vehicle_id", "dealership_vehicles"),
        _fk("stock_unit_id", "dealership_stock"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    salesperson_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    branch: Mapped[str | None] = mapped_column(String(100))
    vehicle_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    options: Mapped[list[str]] = mapped_column(JSONB, default=list)
    colour_code: Mapped[str] = mapped_column(String(20))
    # Accepted instead of colour_code, most preferred first.
    alternative_colours: Mapped[list[str]] = mapped_column(JSONB, default=list)
    currency: Mapped[str] = mapped_column(String(3))
    price_minor: Mapped[int] = mapped_column(BigInteger)
    discount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    trade_in_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    state: Mapped[str] = mapped_column(String(20), default="quote")
    expected_delivery: Mapped[date | None] = mapped_column(Date)
    manufacturer_order_no: Mapped[str | None] = mapped_column(String(40))
    production_week: Mapped[str | None] = mapped_column(String(8))
    vin: Mapped[str | None] = mapped_column(String(17))
    stock_unit_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    delivered_on: Mapped[date | None] = mapped_column(Date)
    delivered_colour: Mapped[str | None] = mapped_column(String(20))
    # [{"member_id": ..., "percent": 60}]: how a split deal's credit is shared (sums to 100).
    splits: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class Payment(TenantScoped, Base):
    """A deposit paid on an order or a refund of one (amounts always positive)."""

    __tablename__ = "dealership_payments"
    __table_args__ = (_fk("order_id", "dealership_orders", "CASCADE"),)

    order_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(10))  # deposit | refund
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    paid_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    receipt: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class OrderLog(TenantScoped, Base):
    """What happened to an order, in order: created, each stage, deposits, every change of
    the expected delivery date with its reason. The order page and the timeline read it."""

    __tablename__ = "dealership_order_log"
    __table_args__ = (_fk("order_id", "dealership_orders", "CASCADE"),)

    order_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(300))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class Promise(TenantScoped, Base):
    __tablename__ = "dealership_promises"
    __table_args__ = (
        _fk("contact_id", "contacts", "CASCADE"),
        _fk("promised_by", "memberships"),
        _fk("order_id", "dealership_orders", "SET NULL (order_id)"),
        _fk("deal_id", "deals", "SET NULL (deal_id)"),
        _fk("interaction_id", "interactions", "SET NULL (interaction_id)"),
    )

    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    promised_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    branch: Mapped[str | None] = mapped_column(String(100))
    fulfilled_by: Mapped[str | None] = mapped_column(String(20))  # department
    cost_minor: Mapped[int | None] = mapped_column(BigInteger)
    cost_currency: Mapped[str | None] = mapped_column(String(3))
    cost_borne_by: Mapped[str | None] = mapped_column(String(20))
    made_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    probability: Mapped[float] = mapped_column(Float)
    order_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    deal_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    alternatives: Mapped[list[str]] = mapped_column(JSONB, default=list)
    status: Mapped[str] = mapped_column(String(20), default="open")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    evidence: Mapped[str | None] = mapped_column(Text)
    supersedes: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    superseded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    reminded_before_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminded_overdue_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Quota(TenantScoped, Base):
    __tablename__ = "dealership_quotas"
    __table_args__ = (_fk("member_id", "memberships", "CASCADE"),)

    member_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    units: Mapped[int] = mapped_column(Integer)
    bonus_per_unit_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3))


class Contest(TenantScoped, Base):
    __tablename__ = "dealership_contests"

    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(String(10))  # units | margin
    prizes: Mapped[list[str]] = mapped_column(JSONB, default=list)
    branch: Mapped[str | None] = mapped_column(String(100))  # None: dealership-wide


class SaleCredit(TenantScoped, Base):
    """One salesperson's share of a delivered order, counted on its delivery date; an
    unwound deal sets ``reversed_on`` and the credit stops counting."""

    __tablename__ = "dealership_sale_credits"
    __table_args__ = (
        _fk("order_id", "dealership_orders", "CASCADE"),
        _fk("member_id", "memberships"),
    )

    order_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    member_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    percent: Mapped[int] = mapped_column(Integer)
    counted_on: Mapped[date] = mapped_column(Date)
    gross_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    reversed_on: Mapped[date | None] = mapped_column(Date)


MODELS: list[type] = [Vehicle, StockUnit, Order, Payment, OrderLog, Promise, Quota, Contest,
                      SaleCredit]


class TradeIn(TenantScoped, Base):
    """An appraisal of the buyer's car: what it is worth to us (actual cash value) against
    what we allow for it, and what is still owed on it."""

    __tablename__ = "dealership_trade_ins"
    __table_args__ = (_fk("order_id", "dealership_orders", "CASCADE"),)

    order_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    vin: Mapped[str] = mapped_column(String(17))
    description: Mapped[str | None] = mapped_column(String(200))
    mileage_km: Mapped[int] = mapped_column(Integer)
    condition: Mapped[str] = mapped_column(String(10))
    currency: Mapped[str] = mapped_column(String(3))
    actual_cash_value_minor: Mapped[int] = mapped_column(BigInteger)
    allowance_minor: Mapped[int] = mapped_column(BigInteger)
    payoff_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    lienholder: Mapped[str | None] = mapped_column(String(200))
    valid_until: Mapped[date] = mapped_column(Date)
    appraised_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class FinanceApplication(TenantScoped, Base):
    __tablename__ = "dealership_finance_applications"
    __table_args__ = (_fk("order_id", "dealership_orders", "CASCADE"),)

    order_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    lender: Mapped[str] = mapped_column(String(200))
    lender_reference: Mapped[str | None] = mapped_column(String(300))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(12), default="submitted")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)


class FiProduct(TenantScoped, Base):
    """A finance-and-insurance product sold with the car (warranty, GAP, …); a chargeback
    (the customer cancelled it) takes back part of its gross."""

    __tablename__ = "dealership_fi_products"
    __table_args__ = (_fk("order_id", "dealership_orders", "CASCADE"),)

    order_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(20))
    provider: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    price_minor: Mapped[int] = mapped_column(BigInteger)
    cost_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    chargeback_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    chargeback_reason: Mapped[str | None] = mapped_column(Text)
    charged_back_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sold_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


MODELS += [TradeIn, FinanceApplication, FiProduct]


class Staff(TenantScoped, Base):
    """The branch a member works at: a sales manager with one manages only that branch's
    orders, promises and numbers; a salesperson's orders and promises default to it."""

    __tablename__ = "dealership_staff"
    __table_args__ = (_fk("member_id", "memberships", "CASCADE"),)

    member_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    branch: Mapped[str] = mapped_column(String(100))


class Appointment(TenantScoped, Base):
    """An appointment set with a customer, and whether they came (shown, no-show)."""

    __tablename__ = "dealership_appointments"
    __table_args__ = (
        _fk("contact_id", "contacts", "CASCADE"),
        _fk("salesperson_id", "memberships"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    salesperson_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    branch: Mapped[str | None] = mapped_column(String(100))
    scheduled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    purpose: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="set")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class Visit(TenantScoped, Base):
    """Showroom traffic: a customer on the floor (walk-in, appointment shown, be-back),
    logged on their timeline as a kernel interaction."""

    __tablename__ = "dealership_visits"
    __table_args__ = (
        _fk("contact_id", "contacts", "CASCADE"),
        _fk("salesperson_id", "memberships"),
        _fk("appointment_id", "dealership_appointments", "SET NULL (appointment_id)"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    salesperson_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    branch: Mapped[str | None] = mapped_column(String(100))
    arrived_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(12))
    appointment_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    note: Mapped[str | None] = mapped_column(Text)


class Campaign(TenantScoped, Base):
    """A marketing message to an audience of customers; who got it is in its recipients."""

    __tablename__ = "dealership_campaigns"

    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20))
    audience: Mapped[str] = mapped_column(String(20))
    branch: Mapped[str | None] = mapped_column(String(100))
    sent: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    sent_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class CampaignRecipient(TenantScoped, Base):
    """One customer of a campaign: ``sent`` (with the interaction logged) or the consent
    decision's reason it was not (``no_consent``, ``opted_out``, ``do_not_contact``, …)."""

    __tablename__ = "dealership_campaign_recipients"
    __table_args__ = (
        _fk("campaign_id", "dealership_campaigns", "CASCADE"),
        _fk("contact_id", "contacts", "CASCADE"),
    )

    campaign_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(String(300))
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


MODELS += [Staff, Appointment, Visit, Campaign, CampaignRecipient]
