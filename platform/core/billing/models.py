"""A tenant's billing account (its Stripe customer and the entitlements last derived from
its subscriptions) and the Stripe events already applied."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Integer, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped


class BillingAccount(TenantScoped, Base):
    """One per tenant, made when the tenant first meets Stripe."""

    __tablename__ = "billing_accounts"
    __table_args__ = (UniqueConstraint("tenant_id"), UniqueConstraint("tenant_id", "customer_id"))

    customer_id: Mapped[str | None] = mapped_column(String(255))
    plan: Mapped[str] = mapped_column(String(40), default="free")
    # The best status over all the tenant's subscriptions ("none" without any).
    status: Mapped[str] = mapped_column(String(40), default="none")
    modules: Mapped[list[str]] = mapped_column(JSONB, default=list)
    # When the tenant stopped being in good standing (past_due, unpaid, paused): paid
    # modules turn read-only once the grace period from here has passed.
    lapsed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # What Stripe said, kept for the status page: subscriptions, next invoice.
    subscriptions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    next_invoice_amount: Mapped[int | None] = mapped_column(Integer)
    next_invoice_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    currency: Mapped[str | None] = mapped_column(String(3))
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class BillingEvent(TenantScoped, Base):
    """A Stripe event applied to the tenant, written in the transaction of its effect: a
    repeat delivery finds its id and changes nothing."""

    __tablename__ = "billing_events"
    __table_args__ = (UniqueConstraint("tenant_id", "event_id"),)

    event_id: Mapped[str] = mapped_column(String(255))
    type: Mapped[str] = mapped_column(String(100))
