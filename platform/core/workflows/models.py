"""Workflow rows: one instance per record, its transition history, tenant stage overrides."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped


class WorkflowInstance(TenantScoped, Base):
    """Where one record stands in one workflow."""

    __tablename__ = "workflow_instances"
    __table_args__ = (UniqueConstraint("tenant_id", "workflow", "record_id"),)
    # RETURNING brings back server-set timestamps in the same round trip (async sessions
    # cannot lazy-load them afterwards).
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    workflow: Mapped[str] = mapped_column(String(100))
    record_type: Mapped[str] = mapped_column(String(100))
    record_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    state: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class HistoryEntry(TenantScoped, Base):
    """One step of an instance's history; ``transition`` is None for the start."""

    __tablename__ = "workflow_transitions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "instance_id"],
            ["workflow_instances.tenant_id", "workflow_instances.id"],
            ondelete="CASCADE",
        ),
        Index("ix_workflow_transitions_tenant_id_instance_id", "tenant_id", "instance_id"),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    instance_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    transition: Mapped[str | None] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(64))
    to_state: Mapped[str] = mapped_column(String(64))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    note: Mapped[str | None] = mapped_column(Text)
    # Stamped when written, not at transaction start (now()), so a start and a fire in
    # one transaction keep their order in the history.
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.clock_timestamp()
    )


class StageOverride(TenantScoped, Base):
    """A tenant's label for a declared state, or a stage the tenant added (``position`` set)."""

    __tablename__ = "workflow_stages"
    __table_args__ = (UniqueConstraint("tenant_id", "workflow", "key"),)

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    workflow: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(100))
    position: Mapped[int | None] = mapped_column(Integer)
    terminal: Mapped[bool] = mapped_column(Boolean, default=False)
