"""Consent grants, access requests between clinics, and break-glass openings.

Each row is owned by the clinic that holds the patient (``tenant_id``); the other clinic
sees its side of the row through an extra SELECT policy (see the migration).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, ForeignKeyConstraint, Index, String, Text
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from rapport.sdk import Base, TenantScoped


class Consent(TenantScoped, Base):
    """The patient's consent to share sections with another clinic (a tenant here, or a
    federation peer elsewhere); exported as a FHIR R4 ``Consent``.

    For a clinic on this deployment the kernel sharing grant (``grant_id``) is what the
    database enforces; this row keeps the consent's evidence and links it to the patient.
    """

    __tablename__ = "medical_consents"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "patient_id"],
            ["medical_patients.tenant_id", "medical_patients.id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["tenant_id", "grant_id"], ["sharing_grants.tenant_id", "sharing_grants.id"]
        ),
        ForeignKeyConstraint(
            ["tenant_id", "peer_id"],
            ["medical_federation_peers.tenant_id", "medical_federation_peers.id"],
        ),
        Index("ix_medical_consents_tenant_id_patient", "tenant_id", "patient_id"),
        Index("ix_medical_consents_tenant_id_grantee", "tenant_id", "grantee_tenant_id"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    grant_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    grantee_tenant_id: Mapped[uuid.UUID | None] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE")
    )
    peer_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    access_request_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    sections: Mapped[list[str]] = mapped_column(ARRAY(Text))
    purpose: Mapped[str] = mapped_column(String(200))
    evidence: Mapped[str] = mapped_column(Text)
    granted_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))


class AccessRequest(TenantScoped, Base):
    """Clinic B (``requester_tenant_id``) asks clinic A (``tenant_id``) for a patient it
    names by medical record number and date of birth. B files the row into A's inbox (an
    INSERT policy admits exactly that); A decides. ``patient_id`` stays empty until A
    approves, so B never learns whether the MRN and birth date matched anyone."""

    __tablename__ = "medical_access_requests"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "patient_id"],
            ["medical_patients.tenant_id", "medical_patients.id"],
            ondelete="CASCADE",
        ),
        Index(
            "ix_medical_access_requests_tenant_id_requester",
            "tenant_id",
            "requester_tenant_id",
            "id",
        ),
    )

    requester_tenant_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("tenants.id", ondelete="CASCADE")
    )
    requested_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    mrn: Mapped[str] = mapped_column(String(40))
    birth_date: Mapped[date] = mapped_column(Date)
    sections: Mapped[list[str]] = mapped_column(ARRAY(Text))
    purpose: Mapped[str] = mapped_column(String(200))
    message: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="requested")
    patient_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    consent_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    decided_by: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)


class BreakGlass(TenantScoped, Base):
    """An emergency opening of clinic A's patient by a clinician of clinic B, outside any
    consent. Written by ``medical_open_break_glass()`` in A's log of openings; both see it."""

    __tablename__ = "medical_break_glass"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant_id", "patient_id"],
            ["medical_patients.tenant_id", "medical_patients.id"],
            ondelete="CASCADE",
        ),
        Index("ix_medical_break_glass_tenant_id_opener", "tenant_id", "opener_tenant_id", "id"),
    )

    patient_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    opener_tenant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    opened_by: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    reason: Mapped[str] = mapped_column(Text)
    grant_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
