"""Consent history per channel and topic, and each contact's contact policy."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped

CHANNELS = ("email", "sms", "phone", "post", "messenger")
STATUSES = ("opt_in", "opt_out")
# Messages a customer needs to be served (receipts, delivery notices), not marketing.
SERVICE_TOPIC = "service"


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ConsentEvent(TenantScoped, Base):
    """One opt-in or opt-out, as it happened: the evidence, never edited afterwards.

    The database refuses updates of anything but ``contact_id`` (a contact merge moves the
    history to the survivor) and the app role may not delete rows; deleting the contact
    removes its history with it.
    """

    __tablename__ = "consent_events"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"], ondelete="CASCADE"
        ),
        CheckConstraint(_one_of("channel", CHANNELS), name="channel"),
        CheckConstraint(_one_of("status", STATUSES), name="status"),
        # The latest word per (channel, topic) is the first entry of this index.
        Index(
            "ix_consent_events_tenant_id_latest",
            "tenant_id",
            "contact_id",
            "channel",
            "topic",
            text("occurred_at DESC"),
            text("id DESC"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    channel: Mapped[str] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    # When the customer said it (a paper form may be entered days later).
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class ContactPolicy(TenantScoped, Base):
    """Do-not-contact and the frequency cap of one contact (no row: neither applies)."""

    __tablename__ = "contact_policies"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("tenant_id", "contact_id"),
        CheckConstraint(
            "(frequency_max IS NULL) = (frequency_days IS NULL)", name="frequency_cap"
        ),
        CheckConstraint("frequency_max >= 1", name="frequency_max"),
        CheckConstraint("frequency_days BETWEEN 1 AND 366", name="frequency_days"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    do_not_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    frequency_max: Mapped[int | None] = mapped_column(Integer)
    frequency_days: Mapped[int | None] = mapped_column(Integer)
    updated_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
