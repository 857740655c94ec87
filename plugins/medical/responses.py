"""What the medical API answers, typed, so the OpenAPI document describes each response
exactly. Built from the JSON-ready dicts the services produce (``of``): one conversion,
checked by msgspec, instead of a hand-written copy per handler."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal, TypeVar

import msgspec

from rapport_plugins.medical.schemas import Allergy, Diagnosis, EmergencyContact

T = TypeVar("T")


def of(kind: type[T], data: Any) -> T:
    """``data`` (JSON-ready: ids and times as strings) as ``kind``."""
    return msgspec.convert(data, kind, strict=False)


class MedicalPatientOut(msgspec.Struct):
    id: uuid.UUID
    contact_id: uuid.UUID
    given_name: str | None
    family_name: str | None
    mrn: str
    birth_date: date
    sex: str
    # The latest blood-group observation, and the allergies section: null when the
    # caller's role may not see them (a receptionist, an owner or admin).
    blood_type: str | None
    allergies: list[Allergy] | None
    emergency_contact: EmergencyContact | None
    created_at: datetime


class MedicalPatientPage(msgspec.Struct):
    items: list[MedicalPatientOut]
    next_cursor: str | None


class MedicalChartOut(msgspec.Struct):
    """A patient's record: each section the caller may see (and, shared, is granted),
    as rows of that section's fields."""

    owner_tenant_id: uuid.UUID
    patient_id: uuid.UUID
    break_glass: bool
    sections: dict[str, list[dict[str, Any]]]


class MedicalAccessEntry(msgspec.Struct):
    at: datetime
    action: str
    who: str
    organization: str | None
    organization_id: uuid.UUID | None
    sections: list[str]
    purpose: str | None
    via: str | None
    break_glass: bool


class MedicalAccessReport(msgspec.Struct):
    items: list[MedicalAccessEntry]


class _Entry(msgspec.Struct):
    id: uuid.UUID
    patient_id: uuid.UUID
    recorded_by: uuid.UUID | None
    created_at: datetime


class MedicalEncounterOut(_Entry):
    starts_at: datetime
    status: str
    clinician: str
    reason: str | None
    diagnoses: list[Diagnosis]
    notes: str | None


class MedicalConditionOut(_Entry):
    encounter_id: uuid.UUID | None
    code: str
    text: str
    clinical_status: str
    onset_date: date | None


class MedicalObservationOut(_Entry):
    encounter_id: uuid.UUID | None
    code: str
    value: str  # a decimal, written exactly as stored
    unit: str
    effective_at: datetime
    value_code: str | None = None  # coded results (the blood type); vital signs: null


class MedicalMedicationOut(_Entry):
    medication: str
    code: str | None
    dosage: str | None
    status: str
    effective_start: date | None
    effective_end: date | None


class MedicalDocumentOut(_Entry):
    title: str
    content_type: str
    size: int
    sha256: str


class MedicalCarePlanOut(_Entry):
    title: str
    category: str
    status: str
    period_start: date | None
    period_end: date | None
    goals: list[str]
    activities: list[str]


class MedicalDocumentContent(msgspec.Struct):
    id: uuid.UUID
    title: str
    content_type: str
    content: str  # base64, as uploaded


class MedicalTenantRef(msgspec.Struct):
    id: uuid.UUID
    slug: str
    name: str


class MedicalPeerRef(msgspec.Struct):
    id: uuid.UUID
    name: str | None


class MedicalConsentOut(msgspec.Struct):
    id: uuid.UUID
    patient_id: uuid.UUID
    sections: list[str]
    purpose: str
    evidence: str
    granted_by: uuid.UUID | None
    starts_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    grant_id: uuid.UUID | None
    access_request_id: uuid.UUID | None
    state: str
    grantor: MedicalTenantRef
    grantee: MedicalTenantRef | None
    peer: MedicalPeerRef | None


class MedicalConsentList(msgspec.Struct):
    items: list[MedicalConsentOut]


class MedicalAccessRequestOut(msgspec.Struct):
    id: uuid.UUID
    mrn: str
    birth_date: date
    sections: list[str]  # as asked
    granted_sections: list[str] | None  # as approved (an approval may narrow)
    purpose: str
    message: str | None
    state: str
    patient_id: uuid.UUID | None
    consent_id: uuid.UUID | None
    decided_at: datetime | None
    decision_note: str | None
    created_at: datetime
    direction: Literal["incoming", "outgoing"]
    owner: MedicalTenantRef
    requester: MedicalTenantRef


class MedicalAccessRequestList(msgspec.Struct):
    items: list[MedicalAccessRequestOut]


class MedicalBreakGlassOpening(msgspec.Struct):
    id: uuid.UUID
    owner_tenant_id: uuid.UUID
    patient_id: uuid.UUID
    opener_tenant_id: uuid.UUID
    opened_by: uuid.UUID
    reason: str
    grant_id: uuid.UUID
    opened_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    active: bool


class MedicalBreakGlassList(msgspec.Struct):
    items: list[MedicalBreakGlassOpening]
