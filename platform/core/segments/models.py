"""A segment: a saved, named definition over the tenant's contacts — dynamic (evaluated on
read) or static (a snapshot: the member list taken at ``snapshot_at``)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped

DYNAMIC = "dynamic"
STATIC = "static"
KINDS = (DYNAMIC, STATIC)


class Segment(TenantScoped, Base):
    __tablename__ = "segments"
    __table_args__ = (CheckConstraint("kind IN ('dynamic', 'static')", name="kind"),)
    # RETURNING brings back server-set timestamps (async sessions cannot lazy-load them).
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # The checked definition (compiler.parse accepted it when it was written).
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    kind: Mapped[str] = mapped_column(String(10), default=DYNAMIC)
    # Static segments: when the member list was last taken (from ``definition``).
    snapshot_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A user id, like the audit log's actor: who wrote it outlives their membership.
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class SegmentMember(Base):
    """One contact of a static segment's snapshot. Keyed ``(tenant_id, segment_id,
    contact_id)``: a snapshot of a million contacts is a million narrow rows, written by
    one ``INSERT … SELECT``; a deleted contact or segment takes its rows with it."""

    __tablename__ = "segment_members"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "segment_id"], ["segments.tenant_id", "segments.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"],
            ondelete="CASCADE",
        ),
        Index("ix_segment_members_tenant_id_contact_id", "tenant_id", "contact_id"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    segment_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
