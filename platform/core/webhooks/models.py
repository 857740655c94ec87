"""Webhook endpoints and the deliveries of committed events to them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped

DELIVERY_STATES = ("pending", "delivered", "failed", "cancelled")


def _tenant() -> Mapped[uuid.UUID]:
    return mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )


class WebhookEndpoint(TenantScoped, Base):
    __tablename__ = "webhook_endpoints"
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = _tenant()
    url: Mapped[str] = mapped_column(String(2000))
    # Shown once, when the endpoint is created; the receiver checks signatures with it.
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[list[str]] = mapped_column(ARRAY(String(120)))
    description: Mapped[str] = mapped_column(String(200), server_default="")
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    # The first failure of the current run of failures; a day of them disables it.
    failing_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), onupdate=func.now())


class WebhookDelivery(TenantScoped, Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "endpoint_id"],
                             ["webhook_endpoints.tenant_id", "webhook_endpoints.id"],
                             ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "endpoint_id", "event_id"),
        CheckConstraint("status IN ('pending', 'delivered', 'failed', 'cancelled')",
                        name="status"),
        Index("ix_webhook_deliveries_tenant_id_due", "tenant_id", "next_attempt_at",
              postgresql_where=text("status = 'pending'")),
        Index("ix_webhook_deliveries_tenant_id_endpoint_id", "tenant_id", "endpoint_id", "id"),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = _tenant()
    endpoint_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    event_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    event_type: Mapped[str] = mapped_column(String(120))
    # The exact bytes signed and sent (the same on every attempt).
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), server_default="pending")
    # [{"at": iso time, "status": HTTP status or null, "error": text or null}, …]
    attempts: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, server_default=text("'[]'::jsonb"))
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                      server_default=func.now())
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
