"""Communication records: templates, campaigns, their messages, members' subscriptions and
the digest items waiting for a member's next e-mail digest."""

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
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped

CHANNELS = ("email", "sms", "messenger")
CAMPAIGN_STATES = ("draft", "scheduled", "sending", "sent", "cancelled", "failed")
MESSAGE_STATES = ("pending", "sending", "sent", "skipped", "failed", "bounced")
DELIVERIES = ("in_app", "email_digest")
SCOPES = ("own", "all")


def _fk(columns: list[str], table: str, ondelete: str | None = None) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", *columns], [f"{table}.tenant_id", f"{table}.id"],
                                ondelete=ondelete)


def _tenant() -> Mapped[uuid.UUID]:
    return mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )


class MessageTemplate(TenantScoped, Base):
    __tablename__ = "message_templates"
    __table_args__ = (
        CheckConstraint("channel IN ('email', 'sms', 'messenger')", name="channel"),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = _tenant()
    name: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(35))
    # The consent topic its messages are about (``offers``, ``newsletter``, ``service``).
    topic: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str | None] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Campaign(TenantScoped, Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        _fk(["template_id"], "message_templates"),
        _fk(["segment_id"], "segments", "SET NULL (segment_id)"),
        ForeignKeyConstraint(["tenant_id", "sender_id"],
                             ["memberships.tenant_id", "memberships.id"],
                             ondelete="SET NULL (sender_id)"),
        CheckConstraint(
            "status IN ('draft', 'scheduled', 'sending', 'sent', 'cancelled', 'failed')",
            name="status"),
        Index("ix_campaigns_tenant_id_due", "tenant_id", "send_at",
              postgresql_where=text("status IN ('scheduled', 'sending')")),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = _tenant()
    name: Mapped[str] = mapped_column(String(200))
    template_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    # The audience: a saved segment, or a definition in the segments' grammar.
    segment_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    definition: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    send_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # At most cap_max campaign messages per contact within cap_days, across campaigns.
    cap_max: Mapped[int | None] = mapped_column(Integer)
    cap_days: Mapped[int | None] = mapped_column(Integer)
    # Opens and clicks tracked (when the tenant's switch allows it too).
    tracking: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    # Each contact's message waits for the first moment of their preferred window.
    in_contact_window: Mapped[bool] = mapped_column(Boolean, default=False,
                                                    server_default="false")
    status: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    # memberships.id of the member it is sent in the name of (who scheduled it).
    sender_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class CampaignMessage(TenantScoped, Base):
    """One contact of a campaign: queued once (unique), then sent, skipped (and why),
    failed or bounced."""

    __tablename__ = "campaign_messages"
    __table_args__ = (
        _fk(["campaign_id"], "campaigns", "CASCADE"),
        _fk(["contact_id"], "contacts", "CASCADE"),
        UniqueConstraint("tenant_id", "campaign_id", "contact_id"),
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'skipped', 'failed', 'bounced')",
            name="status"),
        Index("ix_campaign_messages_tenant_id_campaign_id_status",
              "tenant_id", "campaign_id", "status"),
        Index("ix_campaign_messages_tenant_id_campaign_id_due",
              "tenant_id", "campaign_id", "due_at", postgresql_where=text("status = 'pending'")),
        Index("ix_campaign_messages_tenant_id_contact_id_sent_at",
              "tenant_id", "contact_id", "sent_at", postgresql_where=text("sent_at IS NOT NULL")),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    campaign_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    status: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending")
    reason: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(Text)
    provider_id: Mapped[str | None] = mapped_column(String(300))
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Tries so far and what each got back ({at, error, temporary}); a temporary refusal
    # puts the message back in the queue with ``due_at`` later.
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    attempt_log: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb"))
    # Not before: the contact's sending window, or the next retry.
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The URLs of the rendered message: a click link may only lead to one of these.
    links: Mapped[list[str] | None] = mapped_column(JSONB)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    clicked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    clicks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MemberSubscription(TenantScoped, Base):
    __tablename__ = "member_subscriptions"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "membership_id"],
                             ["memberships.tenant_id", "memberships.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "membership_id", "event_type", "delivery"),
        CheckConstraint("delivery IN ('in_app', 'email_digest')", name="delivery"),
        CheckConstraint("scope IN ('own', 'all')", name="scope"),
        Index("ix_member_subscriptions_tenant_id_event_type", "tenant_id", "event_type"),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = _tenant()
    membership_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    event_type: Mapped[str] = mapped_column(String(120))
    delivery: Mapped[str] = mapped_column(String(20))
    # ``own``: only events about contacts the member owns (their key customers); ``all``.
    scope: Mapped[str] = mapped_column(String(10))


class DigestItem(TenantScoped, Base):
    __tablename__ = "digest_items"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "membership_id"],
                             ["memberships.tenant_id", "memberships.id"], ondelete="CASCADE"),
        Index("ix_digest_items_tenant_id_pending", "tenant_id", "membership_id", "created_at",
              postgresql_where=text("sent_at IS NULL")),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    membership_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    event_type: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(300))
    record_type: Mapped[str | None] = mapped_column(String(80))
    record_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MemberSignature(TenantScoped, Base):
    """The signature a member's letters end with (``{{ member.signature }}``)."""

    __tablename__ = "member_signatures"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "membership_id"],
                             ["memberships.tenant_id", "memberships.id"], ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "membership_id"),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    membership_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    signature: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
