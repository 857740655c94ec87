"""The catalogue and the learners' lifelong record.

Every table is tenant-owned: primary key ``(tenant_id, id)``, foreign keys that carry
``tenant_id`` (so a course can never point at another institution's outcome), indexes led
by ``tenant_id``. A *holding* is what a learner is known to have reached — an outcome at a
proficiency level, from a completed course here or from learning recognised elsewhere —
and is what "never taught twice" reads.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.sdk import Base, TenantScoped


def _fk(column: str, table: str, name: str, *, cascade: bool = True) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", column], [f"{table}.tenant_id", f"{table}.id"],
        ondelete="CASCADE" if cascade else None, name=name,
    )


class Program(TenantScoped, Base):
    __tablename__ = "education_programs"
    __table_args__ = (UniqueConstraint("tenant_id", "code", name="uq_education_programs_code"),)

    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    credits: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))


class Course(TenantScoped, Base):
    __tablename__ = "education_courses"
    __table_args__ = (UniqueConstraint("tenant_id", "code", name="uq_education_courses_code"),)

    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    credits: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    # How credits are counted: ECTS credits, CEUs or clock hours (continuing education).
    credit_unit: Mapped[str] = mapped_column(String(12))
    level: Mapped[int] = mapped_column(Integer)  # EQF level 1-8
    language: Mapped[str] = mapped_column(String(12))
    # Prior learning older than this does not count for this course (None: no limit).
    max_age_years: Mapped[int | None] = mapped_column(Integer)
    instructor_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ProgramCourse(TenantScoped, Base):
    __tablename__ = "education_program_courses"
    __table_args__ = (
        _fk("program_id", "education_programs", "fk_education_program_courses_program"),
        _fk("course_id", "education_courses", "fk_education_program_courses_course"),
        UniqueConstraint("tenant_id", "program_id", "course_id",
                         name="uq_education_program_courses"),
    )

    program_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    course_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))


class Outcome(TenantScoped, Base):
    """A learning outcome (competency) of the institution's framework."""

    __tablename__ = "education_outcomes"
    __table_args__ = (UniqueConstraint("tenant_id", "code", name="uq_education_outcomes_code"),)

    code: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    # Alignment to an external framework (ESCO, a national qualifications framework, …).
    framework_uri: Mapped[str | None] = mapped_column(String(500))
    framework_name: Mapped[str | None] = mapped_column(String(200))


class CourseOutcome(TenantScoped, Base):
    """A course teaches an outcome up to a proficiency level (1-5)."""

    __tablename__ = "education_course_outcomes"
    __table_args__ = (
        _fk("course_id", "education_courses", "fk_education_course_outcomes_course"),
        _fk("outcome_id", "education_outcomes", "fk_education_course_outcomes_outcome"),
        UniqueConstraint("tenant_id", "course_id", "outcome_id",
                         name="uq_education_course_outcomes"),
    )

    course_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    outcome_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    level: Mapped[int] = mapped_column(Integer)


class Prerequisite(TenantScoped, Base):
    __tablename__ = "education_prerequisites"
    __table_args__ = (
        _fk("course_id", "education_courses", "fk_education_prerequisites_course"),
        _fk("requires_id", "education_courses", "fk_education_prerequisites_requires"),
        UniqueConstraint("tenant_id", "course_id", "requires_id",
                         name="uq_education_prerequisites"),
    )

    course_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    requires_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))


class Learner(TenantScoped, Base):
    """A kernel contact who learns here, for life."""

    __tablename__ = "education_learners"
    __table_args__ = (
        ForeignKeyConstraint(["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"],
                             ondelete="CASCADE", name="fk_education_learners_contact"),
        UniqueConstraint("tenant_id", "student_number", name="uq_education_learners_number"),
        UniqueConstraint("tenant_id", "contact_id", name="uq_education_learners_contact"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    student_number: Mapped[str] = mapped_column(String(40))
    # Consented to hear about new courses (the returning-alumni offer audience).
    may_contact: Mapped[bool] = mapped_column(Boolean, default=False)


class Enrolment(TenantScoped, Base):
    __tablename__ = "education_enrolments"
    __table_args__ = (
        _fk("learner_id", "education_learners", "fk_education_enrolments_learner"),
        _fk("course_id", "education_courses", "fk_education_enrolments_course", cascade=False),
        UniqueConstraint("tenant_id", "learner_id", "course_id", "term", "attempt",
                         name="uq_education_enrolments_attempt"),
        Index("ix_education_enrolments_tenant_id_course", "tenant_id", "course_id"),
    )

    learner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    course_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    term: Mapped[str] = mapped_column(String(20))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12))  # enrolled|completed|withdrawn|failed
    grade: Mapped[str | None] = mapped_column(String(12))
    completed_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class Holding(TenantScoped, Base):
    """An outcome a learner holds at a level, and where it came from."""

    __tablename__ = "education_holdings"
    __table_args__ = (
        _fk("learner_id", "education_learners", "fk_education_holdings_learner"),
        _fk("outcome_id", "education_outcomes", "fk_education_holdings_outcome"),
        _fk("enrolment_id", "education_enrolments", "fk_education_holdings_enrolment"),
        _fk("achievement_id", "education_achievements", "fk_education_holdings_achievement"),
        Index("ix_education_holdings_tenant_id_learner", "tenant_id", "learner_id",
              "outcome_id"),
    )

    learner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    outcome_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    level: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(12))  # course | recognised
    enrolment_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    achievement_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    achieved_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)


class Achievement(TenantScoped, Base):
    """A degree, certificate or micro-credential — awarded here or imported."""

    __tablename__ = "education_achievements"
    __table_args__ = (
        _fk("learner_id", "education_learners", "fk_education_achievements_learner"),
        Index("ix_education_achievements_tenant_id_learner", "tenant_id", "learner_id"),
    )

    learner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(20))  # degree|certificate|micro-credential
    title: Mapped[str] = mapped_column(String(200))
    issuer_name: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    program_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    # Imported achievements keep the verified credential they came in and its outcomes
    # (alignments) as proposals until a registrar decides: pending | accepted | rejected.
    imported: Mapped[bool] = mapped_column(Boolean, default=False)
    decision: Mapped[str | None] = mapped_column(String(10))
    alignments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    credential: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # Imported: the credits the credential says were earned, and the unit the registrar
    # counted them in on recognition (then they count towards licences in that unit).
    credits: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    credit_unit: Mapped[str | None] = mapped_column(String(12))


class IssuerKey(TenantScoped, Base):
    """The institution's credential-signing key (Ed25519): its public half is published
    at the issuer's JWKS; the private half is sealed under the deployment's secret."""

    __tablename__ = "education_issuer_keys"
    __table_args__ = (UniqueConstraint("tenant_id", "kid", name="uq_education_issuer_keys_kid"),)

    kid: Mapped[str] = mapped_column(String(100))
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSONB)
    private_jwk: Mapped[str] = mapped_column(Text)


class IssuedCredential(TenantScoped, Base):
    """A credential this institution issued: its place in the status lists (the same
    index in the revocation list and in the suspension list)."""

    __tablename__ = "education_issued"
    __table_args__ = (
        _fk("learner_id", "education_learners", "fk_education_issued_learner"),
        UniqueConstraint("tenant_id", "status_index", name="uq_education_issued_status_index"),
        Index("ix_education_issued_tenant_id_learner", "tenant_id", "learner_id"),
    )

    learner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    kind: Mapped[str] = mapped_column(String(30))  # ClrCredential | AchievementCredential
    name: Mapped[str] = mapped_column(String(200))
    status_index: Mapped[int] = mapped_column(Integer)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    suspended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    suspension_reason: Mapped[str | None] = mapped_column(Text)


class OutcomeLink(TenantScoped, Base):
    """How one of our outcomes relates to an outcome of another framework (by URI), so that
    imported achievements match beyond identical URIs."""

    __tablename__ = "education_outcome_links"
    __table_args__ = (
        _fk("outcome_id", "education_outcomes", "fk_education_outcome_links_outcome"),
        UniqueConstraint("tenant_id", "outcome_id", "target_uri",
                         name="uq_education_outcome_links"),
        Index("ix_education_outcome_links_tenant_id_target", "tenant_id", "target_uri"),
    )

    outcome_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    target_uri: Mapped[str] = mapped_column(String(500))
    relation: Mapped[str] = mapped_column(String(12))  # exact|related|part_of|replaced_by
    target_version: Mapped[str | None] = mapped_column(String(40))


class Licence(TenantScoped, Base):
    """A professional licence the learner must renew with continuing-education hours."""

    __tablename__ = "education_licences"
    __table_args__ = (
        _fk("learner_id", "education_learners", "fk_education_licences_learner"),
        Index("ix_education_licences_tenant_id_learner", "tenant_id", "learner_id"),
    )

    learner_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    name: Mapped[str] = mapped_column(String(200))
    authority: Mapped[str | None] = mapped_column(String(200))
    number: Mapped[str | None] = mapped_column(String(60))
    renewed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    required: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    unit: Mapped[str] = mapped_column(String(12))  # hours | ceu | ects
    # Earlier periods, oldest first: {renewed_on, expires_on, earned, required, waived, note}.
    renewals: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
