"""The interaction: one touch between the tenant and a contact (a call, a visit, an ad seen).

``member_id`` is the user who worked with the contact. It is a plain user id, like the
audit log's actors: a colleague's history must outlive their membership ("has anyone
here worked with this customer?" still answers after they left). ``deal_id`` and
``transaction_id`` are plain ids for now; the merge migration that joins the deals and
transactions branches adds the composite foreign keys.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped


class Kind(StrEnum):
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    VISIT = "visit"
    MESSAGE = "message"
    PURCHASE = "purchase"
    AD_IMPRESSION = "ad_impression"
    SURVEY = "survey"
    NOTE = "note"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Interaction(TenantScoped, Base):
    __tablename__ = "interactions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"], ondelete="CASCADE"
        ),
        CheckConstraint(_in("kind", Kind), name="kind"),
        CheckConstraint(_in("direction", Direction), name="direction"),
        # The timeline and the list by contact: newest first, keyset on (occurred_at, id).
        Index(
            "ix_interactions_tenant_id_contact_id_occurred_at_id",
            "tenant_id",
            "contact_id",
            text("occurred_at DESC"),
            text("id DESC"),
        ),
        # "Who here worked with this customer": DISTINCT ON (member_id) per contact.
        Index(
            "ix_interactions_tenant_id_contact_id_member_id_occurred_at",
            "tenant_id",
            "contact_id",
            "member_id",
            text("occurred_at DESC"),
            text("id DESC"),
        ),
        # The tenant-wide list and the activity report's time window.
        Index(
            "ix_interactions_tenant_id_occurred_at_id",
            "tenant_id",
            text("occurred_at DESC"),
            text("id DESC"),
        ),
        Index(
            "ix_interactions_tenant_id_member_id_occurred_at_id",
            "tenant_id",
            "member_id",
            text("occurred_at DESC"),
            text("id DESC"),
        ),
        # Touchpoints before a purchase, interactions of a deal; also backs the future FKs.
        Index(
            "ix_interactions_tenant_id_deal_id",
            "tenant_id",
            "deal_id",
            postgresql_where=text("deal_id IS NOT NULL"),
        ),
        Index(
            "ix_interactions_tenant_id_transaction_id",
            "tenant_id",
            "transaction_id",
            postgresql_where=text("transaction_id IS NOT NULL"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str | None] = mapped_column(String(40))
    direction: Mapped[str | None] = mapped_column(String(8))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    member_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    subject: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(200))
    deal_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    transaction_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    campaign: Mapped[str | None] = mapped_column(String(200))
    touchpoint: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
