"""SERVQUAL surveys: the survey (its items, languages, threshold and manager), the signed
invitations sent after a touchpoint, the responses (one per invitation) and their answers
(expectation and perception per item)."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.db.base import Base, TenantScoped

INVITATION_STATES = ("sending", "sent", "failed", "skipped", "answered")
REMINDER_STATES = ("sending", "sent", "failed", "skipped")


def _tenant() -> Mapped[uuid.UUID]:
    return mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True
    )


def _fk(columns: list[str], table: str, ondelete: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(["tenant_id", *columns], [f"{table}.tenant_id", f"{table}.id"],
                                ondelete=ondelete)


class Survey(TenantScoped, Base):
    __tablename__ = "surveys"
    __table_args__ = (
        _fk(["manager_id"], "memberships", "SET NULL (manager_id)"),
        _fk(["template_id"], "message_templates", "SET NULL (template_id)"),
        CheckConstraint("threshold_on IN ('gap', 'perception')", name="threshold_on"),
        CheckConstraint("auto_delay_minutes BETWEEN 0 AND 43200 "
                        "AND auto_cap_days BETWEEN 0 AND 365 "
                        "AND (remind_after_days IS NULL OR remind_after_days BETWEEN 1 AND 60)",
                        name="auto_limits"),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = _tenant()
    name: Mapped[str] = mapped_column(String(200))
    languages: Mapped[list[str]] = mapped_column(ARRAY(String(8)))
    # [{"key", "dimension", "text": {language: statement}}, …] in the order asked.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    # SERVQUAL's points allocation: {dimension: points}, 100 in all; null = equal weights.
    weights: Mapped[dict[str, int] | None] = mapped_column(JSONB)
    threshold: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    threshold_on: Mapped[str] = mapped_column(String(12), server_default="gap")
    manager_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    topic: Mapped[str] = mapped_column(String(64), server_default="service")
    template_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # Interactions of these kinds invite their contact on ``auto_channel`` (the outbox worker).
    auto_kinds: Mapped[list[str]] = mapped_column(ARRAY(String(20)),
                                                  server_default=text("'{}'"))
    auto_channel: Mapped[str | None] = mapped_column(String(20))
    # Wait this long after the touchpoint; invite a contact automatically at most once in
    # ``auto_cap_days`` (0: no cap); interactions logged before ``auto_since`` (set when the
    # kinds change or the survey is switched on) are never surveyed.
    auto_delay_minutes: Mapped[int] = mapped_column(Integer, server_default="0")
    auto_cap_days: Mapped[int] = mapped_column(Integer, server_default="30")
    auto_since: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now())
    # One reminder this many days after the invitation to whoever has not answered; None: no.
    remind_after_days: Mapped[int | None] = mapped_column(Integer)
    link_days: Mapped[int] = mapped_column(Integer, server_default="30")
    active: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), onupdate=func.now())


class SurveyInvitation(TenantScoped, Base):
    __tablename__ = "survey_invitations"
    __table_args__ = (
        _fk(["survey_id"], "surveys", "CASCADE"),
        _fk(["contact_id"], "contacts", "CASCADE"),
        _fk(["employee_id"], "memberships", "SET NULL (employee_id)"),
        # One invitation per survey and touchpoint: a redelivered event invites nobody twice.
        UniqueConstraint("tenant_id", "survey_id", "interaction_id"),
        CheckConstraint("status IN ('sending', 'sent', 'failed', 'skipped', 'answered')",
                        name="status"),
        CheckConstraint("reminder_status IN ('sending', 'sent', 'failed', 'skipped')",
                        name="reminder_status"),
        Index("ix_survey_invitations_tenant_id_survey_id_id", "tenant_id", "survey_id", "id"),
        Index("ix_survey_invitations_to_remind", "tenant_id", "survey_id", "created_at",
              postgresql_where=text("status = 'sent' AND reminder_status IS NULL")),
        Index("ix_survey_invitations_in_doubt", "tenant_id",
              postgresql_where=text("status = 'sending' OR reminder_status = 'sending'")),
        Index("ix_survey_invitations_tenant_id_contact_id", "tenant_id", "contact_id"),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = _tenant()
    survey_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    service_point: Mapped[str | None] = mapped_column(String(200))
    # The touchpoint (a visit, an encounter, a delivery …) when it is an interaction.
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    employee_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    channel: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(320))
    provider_id: Mapped[str | None] = mapped_column(String(300))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    answered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Sent by the worker after an interaction of one of the survey's ``auto_kinds``.
    automatic: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    reminder_status: Mapped[str | None] = mapped_column(String(20))
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reminder_detail: Mapped[str | None] = mapped_column(Text)


class SurveyResponse(TenantScoped, Base):
    __tablename__ = "survey_responses"
    __table_args__ = (
        _fk(["survey_id"], "surveys", "CASCADE"),
        _fk(["contact_id"], "contacts", "CASCADE"),
        _fk(["invitation_id"], "survey_invitations", "CASCADE"),
        _fk(["employee_id"], "memberships", "SET NULL (employee_id)"),
        # Single use: a second submission of the same link meets this key.
        UniqueConstraint("tenant_id", "invitation_id"),
        Index("ix_survey_responses_tenant_id_survey_id_submitted_at", "tenant_id",
              "survey_id", "submitted_at"),
    )
    __mapper_args__ = {"eager_defaults": True}

    tenant_id: Mapped[uuid.UUID] = _tenant()
    survey_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    invitation_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    service_point: Mapped[str | None] = mapped_column(String(200))
    employee_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    language: Mapped[str] = mapped_column(String(8))
    expectation: Mapped[Decimal] = mapped_column(Numeric(5, 3))
    perception: Mapped[Decimal] = mapped_column(Numeric(5, 3))
    gap: Mapped[Decimal] = mapped_column(Numeric(5, 3))
    weighted_gap: Mapped[Decimal] = mapped_column(Numeric(5, 3))
    low: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)
    interaction_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    task_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                   server_default=func.now())


class SurveyAnswer(TenantScoped, Base):
    __tablename__ = "survey_answers"
    __table_args__ = (
        _fk(["response_id"], "survey_responses", "CASCADE"),
        UniqueConstraint("tenant_id", "response_id", "item_key"),
        CheckConstraint("expectation BETWEEN 1 AND 7 AND perception BETWEEN 1 AND 7",
                        name="scale"),
    )

    tenant_id: Mapped[uuid.UUID] = _tenant()
    response_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    item_key: Mapped[str] = mapped_column(String(40))
    dimension: Mapped[str] = mapped_column(String(40))
    expectation: Mapped[int] = mapped_column(SmallInteger)
    perception: Mapped[int] = mapped_column(SmallInteger)
