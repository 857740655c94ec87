"""A task: something a member has to do, by when, about which contact or deal."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped


class Task(TenantScoped, Base):
    __tablename__ = "tasks"
    __table_args__ = (
        # A deleted contact, deal or member leaves the task in place with the link cleared.
        ForeignKeyConstraint(
            ["tenant_id", "assignee_id"],
            ["memberships.tenant_id", "memberships.id"],
            ondelete="SET NULL (assignee_id)",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "contact_id"],
            ["contacts.tenant_id", "contacts.id"],
            ondelete="SET NULL (contact_id)",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "deal_id"],
            ["deals.tenant_id", "deals.id"],
            ondelete="SET NULL (deal_id)",
        ),
        CheckConstraint("(done_at IS NULL) = (done_by IS NULL)", name="done"),
        Index("ix_tasks_tenant_id_assignee_id_id", "tenant_id", "assignee_id", "id"),
        Index("ix_tasks_tenant_id_contact_id_id", "tenant_id", "contact_id", "id"),
        Index("ix_tasks_tenant_id_deal_id_id", "tenant_id", "deal_id", "id"),
        # Open work: "my open tasks" and "what is overdue" read only these rows.
        Index(
            "ix_tasks_tenant_id_open_id",
            "tenant_id",
            "id",
            postgresql_where=text("done_at IS NULL"),
        ),
        Index(
            "ix_tasks_tenant_id_open_due_at",
            "tenant_id",
            "due_at",
            postgresql_where=text("done_at IS NULL"),
        ),
        # Armed reminders only: what the worker scans for due ones.
        Index(
            "ix_tasks_tenant_id_armed_remind_at",
            "tenant_id",
            "remind_at",
            postgresql_where=text(
                "remind_at IS NOT NULL AND reminded_at IS NULL AND done_at IS NULL"
            ),
        ),
    )
    # RETURNING brings back server-set timestamps (async sessions cannot lazy-load them).
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    title: Mapped[str] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    remind_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the reminder was delivered; cleared (re-armed) when remind_at changes or the
    # task is reopened.
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A plugin's handler failed this many times in a row; the next try waits until then.
    reminder_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reminder_retry_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A user id, like the audit log's actor: who finished it outlives their membership.
    done_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    contact_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    deal_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
