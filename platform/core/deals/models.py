"""A deal: a sale in progress through the tenant's pipeline, and its priced lines."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rapport.core.transactions.models import MONEY, PricedLine
from rapport.db.base import Base, TenantScoped, Trashable


class Deal(Trashable, TenantScoped, Base):
    __tablename__ = "deals"
    __table_args__ = (
        # Deleting a contact or removing a member keeps the deal and clears only the link
        # (a column list on SET NULL: the tenant_id half of the key must stay).
        ForeignKeyConstraint(
            ["tenant_id", "contact_id"],
            ["contacts.tenant_id", "contacts.id"],
            ondelete="SET NULL (contact_id)",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "owner_id"],
            ["memberships.tenant_id", "memberships.id"],
            ondelete="SET NULL (owner_id)",
        ),
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability"),
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("amount IS NULL OR currency IS NOT NULL", name="amount_currency"),
        Index("ix_deals_tenant_id_stage_id", "tenant_id", "stage", "id"),
        Index("ix_deals_tenant_id_owner_id_id", "tenant_id", "owner_id", "id"),
        Index("ix_deals_tenant_id_contact_id_id", "tenant_id", "contact_id", "id"),
        Index("ix_deals_tenant_id_organization_id_id", "tenant_id", "organization_id", "id"),
        Index("ix_deals_tenant_id_pipeline_stage_id", "tenant_id", "pipeline", "stage", "id"),
    )
    # RETURNING brings back server-set timestamps (async sessions cannot lazy-load them).
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str] = mapped_column(String(200))
    # Mirrors the deal's state in workflow "deals.pipeline": a trigger on
    # workflow_instances keeps it in step however the deal moves (our route or the generic
    # workflow door), so lists filter by stage through an index.
    stage: Mapped[str] = mapped_column(String(64))
    # The pipeline's key (``default`` or a row of deal_pipelines), mirrored by the same
    # trigger from the workflow the deal's instance is in (``deals.pipeline[.<key>]``).
    pipeline: Mapped[str] = mapped_column(String(40), server_default="default")
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str | None] = mapped_column(String(3))
    probability: Mapped[int | None] = mapped_column(SmallInteger)
    expected_close_date: Mapped[date | None] = mapped_column(Date)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # Organizations are being built in parallel; a later migration adds the foreign key.
    organization_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    owner_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # Custom field values by full key (field_entities: entity "deal"), indexed ones
    # mirrored into field_values by the triggers of migration 0023.
    fields: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )

    lines: Mapped[list[DealLine]] = relationship(
        order_by="DealLine.position",
        lazy="selectin",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class DealLine(PricedLine, TenantScoped, Base):
    __tablename__ = "deal_lines"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "deal_id"], ["deals.tenant_id", "deals.id"], ondelete="CASCADE"
        ),
        Index("ix_deal_lines_tenant_id_deal_id_position", "tenant_id", "deal_id", "position"),
        CheckConstraint("quantity > 0", name="quantity"),
        CheckConstraint("unit_price >= 0", name="unit_price"),
    )

    deal_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))


class DealPipeline(TenantScoped, Base):
    """One of an organization's pipelines; its stages are those of workflow
    ``deals.pipeline.<key>`` (the default pipeline, key ``default``, is ``deals.pipeline``
    and has a row only once renamed or reordered)."""

    __tablename__ = "deal_pipelines"
    __table_args__ = (
        UniqueConstraint("tenant_id", "key"),
        CheckConstraint("key ~ '^[a-z][a-z0-9_]{0,39}$'", name="key"),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, server_default="0")
