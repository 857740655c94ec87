"""Purchases and orders with their lines, as the tills, shops and order systems report them."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rapport.db.base import Base, TenantScoped

MONEY = Numeric(18, 4, asdecimal=True)


class PricedLine:
    """Columns of one priced line (product x quantity x unit price), shared by deals and
    transactions; each table adds its parent's id and foreign key."""

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer)
    product: Mapped[str] = mapped_column(String(200))
    # The product's category as the sender names it ("Shoes"); None when not given.
    category: Mapped[str | None] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(MONEY)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    amount: Mapped[Decimal] = mapped_column(MONEY)
KINDS = ("purchase", "order")


class Transaction(TenantScoped, Base):
    __tablename__ = "transactions"
    __table_args__ = (
        # The sender's id makes a retry land on the stored row instead of a second one.
        Index(
            "uq_transactions_tenant_id_external_id",
            "tenant_id",
            "external_id",
            unique=True,
            postgresql_where=text("external_id IS NOT NULL"),
        ),
        # Sales history outlives a deleted contact (the link is cleared, not the sale).
        ForeignKeyConstraint(
            ["tenant_id", "contact_id"],
            ["contacts.tenant_id", "contacts.id"],
            ondelete="SET NULL (contact_id)",
        ),
        CheckConstraint("kind IN ('purchase', 'order')", name="kind"),
        CheckConstraint("amount >= 0", name="amount"),
        Index("ix_transactions_tenant_id_occurred_at_id", "tenant_id", "occurred_at", "id"),
        Index(
            "ix_transactions_tenant_id_contact_id_occurred_at_id",
            "tenant_id",
            "contact_id",
            "occurred_at",
            "id",
        ),
        Index(
            "ix_transactions_tenant_id_channel_occurred_at_id",
            "tenant_id",
            "channel",
            "occurred_at",
            "id",
        ),
        # "Anything recorded since" (the analytics schedule; 0030_analytics_schedule).
        Index("ix_transactions_tenant_id_created_at", "tenant_id", "created_at"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    external_id: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    channel: Mapped[str] = mapped_column(String(40))
    point_of_sale: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))

    lines: Mapped[list[TransactionLine]] = relationship(
        order_by="TransactionLine.position", lazy="selectin", passive_deletes=True
    )


class TransactionLine(PricedLine, TenantScoped, Base):
    __tablename__ = "transaction_lines"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "transaction_id"],
            ["transactions.tenant_id", "transactions.id"],
            ondelete="CASCADE",
        ),
        Index(
            "ix_transaction_lines_tenant_id_transaction_id_position",
            "tenant_id",
            "transaction_id",
            "position",
        ),
        Index(
            "ix_transaction_lines_tenant_id_category",
            "tenant_id",
            "category",
            "transaction_id",
            postgresql_where=text("category IS NOT NULL"),
        ),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("unit_price >= 0", name="unit_price"),
    )

    transaction_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
