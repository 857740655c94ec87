"""The patient record: a profile on top of a contact, and one table per grantable section.

Every table is tenant-owned (PK ``(tenant_id, id)``, composite foreign keys) and shares its
rows under a sharing grant of ``medical.patient`` for the section it belongs to.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.sdk import Base, TenantScoped


def _patient_fk(table: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["tenant_id", "patient_id"],
        ["medical_patients.tenant_id", "medical_patients.id"],
        ondelete="CASCADE",
        name=f"fk_{table}_patient",
    )


def _encounter_fk(table: str) -> ForeignKeyConstraint:
    # Encounters are never deleted (the record is evidence), so no ON DELETE rule.
    return ForeignKeyConstraint(
        ["tenant_id", "encounter_id"],
        ["medical_encounters.tenant_id", "medical_encounters.id"],
        name=f"fk_{table}_encounter",
    )


class Patient(TenantScoped, Base):
    """Demographics: the section a receptionist sees and most grants include."""

    __tablename__ = "medical_patients"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "contact_id"], ["contacts.tenant_id", "contacts.id"], ondelete="CASCADE"
        ),
        UniqueConstraint("tenant_id", "mrn", name="uq_medical_patients_tenant_id_mrn"),
        UniqueConstraint("tenant_id", "contact_id", name="uq_medical_patients_tenant_id_contact"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    # A copy of the contact's name, kept in step by the contact.updated event: a clinic
    # granted demographics reads it here (contacts themselves are never shared).
    given_name: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    mrn: Mapped[str] = mapped_column(String(40))
    birth_date: Mapped[date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(10))
    # Allergies (``Allergy``) and the blood type (an ``Observation``) are clinical: they are
    # not part of demographics, which receptionists and demographics grants see.
    emergency_contact: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    created_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Encounter(TenantScoped, Base):
    """A visit; a ``planned`` encounter is an appointment (what a receptionist books)."""

    __tablename__ = "medical_encounters"
    __table_args__ = (
        _patient_fk("medical_encounters"),
        Index("ix_medical_encounters_tenant_id_patient", "tenant_id", "patient_id", "starts_at"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))
    clinician: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    # [{"code": "J06.9", "text": "Acute upper respiratory infection"}]: ICD-10 with text.
    diagnoses: Mapped[list[dict[str, str]]] = mapped_column(
        JSONB, default=list, server_default=text("'[]'::jsonb")
    )
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class Condition(TenantScoped, Base):
    __tablename__ = "medical_conditions"
    __table_args__ = (
        _patient_fk("medical_conditions"),
        _encounter_fk("medical_conditions"),
        Index("ix_medical_conditions_tenant_id_patient", "tenant_id", "patient_id"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    encounter_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    code: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(500))
    clinical_status: Mapped[str] = mapped_column(String(20))
    onset_date: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class Observation(TenantScoped, Base):
    """A vital sign (LOINC code, value and UCUM unit) or a coded result — the blood type
    (LOINC 882-1, ``value_code`` such as ``A+``)."""

    __tablename__ = "medical_observations"
    __table_args__ = (
        _patient_fk("medical_observations"),
        _encounter_fk("medical_observations"),
        Index(
            "ix_medical_observations_tenant_id_patient", "tenant_id", "patient_id", "effective_at"
        ),
        CheckConstraint("(value IS NOT NULL AND unit IS NOT NULL) <> (value_code IS NOT NULL)",
                        name="ck_medical_observations_value"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    encounter_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    code: Mapped[str] = mapped_column(String(20))
    value: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    unit: Mapped[str | None] = mapped_column(String(20))
    value_code: Mapped[str | None] = mapped_column(String(20))
    effective_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class Allergy(TenantScoped, Base):
    """An allergy or intolerance: the substance, how severe, what it causes. Its own
    grantable section (``allergies``), so a demographics grant does not include it."""

    __tablename__ = "medical_allergies"
    __table_args__ = (
        _patient_fk("medical_allergies"),
        Index("ix_medical_allergies_tenant_id_patient", "tenant_id", "patient_id"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    substance: Mapped[str] = mapped_column(String(200))
    severity: Mapped[str | None] = mapped_column(String(10))
    reaction: Mapped[str | None] = mapped_column(String(500))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class MedicationStatement(TenantScoped, Base):
    __tablename__ = "medical_medications"
    __table_args__ = (
        _patient_fk("medical_medications"),
        Index("ix_medical_medications_tenant_id_patient", "tenant_id", "patient_id"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    medication: Mapped[str] = mapped_column(String(300))
    code: Mapped[str | None] = mapped_column(String(40))
    dosage: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))
    effective_start: Mapped[date | None] = mapped_column(Date)
    effective_end: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class Document(TenantScoped, Base):
    __tablename__ = "medical_documents"
    __table_args__ = (
        _patient_fk("medical_documents"),
        Index("ix_medical_documents_tenant_id_patient", "tenant_id", "patient_id"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    title: Mapped[str] = mapped_column(String(300))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class CarePlan(TenantScoped, Base):
    """A rehabilitation (or other) plan: goals and activities over a period."""

    __tablename__ = "medical_care_plans"
    __table_args__ = (
        _patient_fk("medical_care_plans"),
        Index("ix_medical_care_plans_tenant_id_patient", "tenant_id", "patient_id"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    title: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    goals: Mapped[list[str]] = mapped_column(JSONB, default=list)
    activities: Mapped[list[str]] = mapped_column(JSONB, default=list)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
