"""One audit entry: who did what to which record, when, with the changed fields."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, ForeignKey, Index, String, func, text
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, new_id


class AuditEvent(Base):
    """An append-only entry in the log of the tenant that owns the record.

    Deliberately not ``TenantScoped``: the session's automatic ``tenant_id = <current>``
    filter would hide the entries a counterpart tenant is entitled to see (its own reads of
    another tenant's record). RLS still decides every row, and the service filters
    explicitly by the caller's tenant on both sides.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_tenant_id_record", "tenant_id", "record_type", "record_id", "id"),
        Index(
            "ix_audit_events_tenant_id_counterpart",
            "tenant_id",
            "counterpart_tenant_id",
            "id",
            postgresql_where=text("counterpart_tenant_id IS NOT NULL"),
        ),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=new_id)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    actor_tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    # The API client that acted (its token), when it was one and not a person.
    actor_client_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    action: Mapped[str] = mapped_column(String(40))
    record_type: Mapped[str] = mapped_column(String(100))
    record_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    # {field: [before, after]}; a field absent before or after shows as null on that side.
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    counterpart_tenant_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # The hash chain, filled in by the database when the transaction commits.
    seq: Mapped[int | None] = mapped_column(BigInteger)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))
