"""The record of one contact import: what was read, how far it got, and what went wrong.

A batched import commits each batch together with ``processed_rows`` (the checkpoint), so
a killed run leaves a point to resume from; an atomic one leaves nothing or everything.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped

RUNNING = "running"
COMPLETED = "completed"
FAILED = "failed"
DRY_RUN = "dry_run"
# Imports a later run of the same file continues.
UNFINISHED = (RUNNING, FAILED)


class ContactImport(TenantScoped, Base):
    __tablename__ = "contact_imports"
    __table_args__ = (
        # "Has this file an unfinished import?" — the resume look-up.
        Index("ix_contact_imports_tenant_id_sha256", "tenant_id", "sha256"),
        CheckConstraint("status IN ('running', 'completed', 'failed', 'dry_run')", name="status"),
        CheckConstraint("key IN ('external_id', 'email')", name="key"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(20))
    # {file header: column} as resolved from the file and the ``--map`` options.
    mapping: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    skip_invalid: Mapped[bool] = mapped_column(Boolean, default=False)
    atomic: Mapped[bool] = mapped_column(Boolean, default=False)
    region: Mapped[str | None] = mapped_column(String(2))
    batch_size: Mapped[int] = mapped_column(Integer)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    # Data rows (in file order) whose batches have committed: the resume point.
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    # Rows whose key a later row of the same file repeats (the last row wins).
    duplicate_count: Mapped[int] = mapped_column(Integer, default=0)
    # The first errors: [{"row", "column", "message"}].
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    failure: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

