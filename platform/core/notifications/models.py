"""A notification: something one member should see in the app (e.g. a task reminder)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, ForeignKeyConstraint, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped


class Notification(TenantScoped, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # A member's notifications leave with their membership.
        ForeignKeyConstraint(
            ["tenant_id", "recipient_id"],
            ["memberships.tenant_id", "memberships.id"],
            ondelete="CASCADE",
        ),
        Index("ix_notifications_tenant_id_recipient_id_id", "tenant_id", "recipient_id", "id"),
        Index(
            "ix_notifications_tenant_id_recipient_id_unread_id",
            "tenant_id",
            "recipient_id",
            "id",
            postgresql_where=text("read_at IS NULL"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    # A membership id: notifications belong to a member of this tenant, not to a user.
    recipient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(200))
    # The record it is about (a link, not a foreign key: a deleted task keeps its notice).
    record_type: Mapped[str | None] = mapped_column(String(80))
    record_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
