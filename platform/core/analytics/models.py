"""Analytics tables: recompute jobs, each contact's current classes, and class changes."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped

QUEUED = "queued"
RUNNING = "running"
COMPLETED = "completed"
FAILED = "failed"
STEPS = ("rfm", "abc", "xyz", "clv")


class AnalyticsJob(TenantScoped, Base):
    """One recompute. ``steps_done`` counts the steps committed (each step writes its class
    for every contact in one transaction together with this counter): the resume point."""

    __tablename__ = "analytics_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'completed', 'failed')", name="status"),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(20))
    # The checked ``Parameters`` as JSON (``parameters.Parameters``).
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONB)
    steps: Mapped[list[str]] = mapped_column(JSONB)
    steps_done: Mapped[int] = mapped_column(Integer, default=0)
    # Per step: how many contacts got a class, how many changed, the CLV fit's figures.
    results: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    failure: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ContactAnalytics(Base):
    """A contact's current classes (written only by the recompute's set-based steps)."""

    __tablename__ = "contact_analytics"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "id"], ["contacts.tenant_id", "contacts.id"],
                             ondelete="CASCADE"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    # The column is ``id`` (the contact's id: every tenant table is keyed (tenant_id, id)).
    contact_id: Mapped[uuid.UUID] = mapped_column("id", UUID(as_uuid=True), primary_key=True)
    currency: Mapped[str | None] = mapped_column(String(3))
    recency_days: Mapped[int | None] = mapped_column(Integer)
    frequency: Mapped[int | None] = mapped_column(Integer)
    monetary: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    r: Mapped[int | None] = mapped_column(SmallInteger)
    f: Mapped[int | None] = mapped_column(SmallInteger)
    m: Mapped[int | None] = mapped_column(SmallInteger)
    rfm: Mapped[str | None] = mapped_column(String(30))
    abc: Mapped[str | None] = mapped_column(String(1))
    revenue_share: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    xyz: Mapped[str | None] = mapped_column(String(1))
    variation: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    clv: Mapped[Decimal | None] = mapped_column(Numeric(18, 4))
    expected_purchases: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    clv_method: Mapped[str | None] = mapped_column(String(20))
    job_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())


class ClassChange(TenantScoped, Base):
    """A contact moved from ``before`` to ``after`` (``None``: had no class) in a job."""

    __tablename__ = "analytics_class_changes"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"],
                             ondelete="CASCADE"),
        CheckConstraint("kind IN ('rfm', 'abc', 'xyz')", name="kind"),
    )

    tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(10))
    before: Mapped[str | None] = mapped_column(String(30))
    after: Mapped[str | None] = mapped_column(String(30))
    job_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
