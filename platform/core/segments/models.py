"""A segment: a saved, named definition over the tenant's contacts, evaluated on read."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped


class Segment(TenantScoped, Base):
    __tablename__ = "segments"
    # RETURNING brings back server-set timestamps (async sessions cannot lazy-load them).
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # The checked definition (compiler.parse accepted it when it was written).
    definition: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # A user id, like the audit log's actor: who wrote it outlives their membership.
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
