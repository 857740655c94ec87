"""Request bodies of the medical API (msgspec: bounded, NUL-free, typed)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from rapport.sdk import LongText, Name, ShortText

_NO_NUL = r"^[^\x00]*$"
Mrn = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,39}$")]
Text500 = Annotated[str, msgspec.Meta(min_length=1, max_length=500, pattern=_NO_NUL)]
Code = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9.\-/]+$")]
Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=_NO_NUL)]
Section = Literal[
    "demographics", "encounters", "conditions", "observations", "medications", "documents",
    "care_plans", "allergies",
]
Sections = Annotated[list[Section], msgspec.Meta(min_length=1, max_length=8)]
Sex = Literal["female", "male", "other", "unknown"]
BloodType = Literal["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"]
EncounterStatus = Literal["planned", "arrived", "in-progress", "finished", "cancelled"]
ConditionStatus = Literal["active", "recurrence", "relapse", "inactive", "remission", "resolved"]
MedicationStatus = Literal[
    "active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown",
    "not-taken",
]
CarePlanStatus = Literal["draft", "active", "on-hold", "revoked", "completed"]
Note = Annotated[str, msgspec.Meta(max_length=2000, pattern=_NO_NUL)]
Url = Annotated[str, msgspec.Meta(max_length=2048, pattern=r"^https?://[^\s\x00]+$")]
ClientId = Annotated[str, msgspec.Meta(min_length=1, max_length=300, pattern=r"^[\x21-\x7e]+$")]


class Allergy(msgspec.Struct, forbid_unknown_fields=True):
    substance: Name
    reaction: ShortText | None = None
    severity: Literal["mild", "moderate", "severe"] | None = None


class EmergencyContact(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    relationship: ShortText | None = None
    phone: Annotated[str, msgspec.Meta(max_length=40, pattern=r"^[0-9+() .\-]*$")] | None = None


class PatientIn(msgspec.Struct, forbid_unknown_fields=True):
    contact_id: uuid.UUID
    mrn: Mrn
    birth_date: date
    sex: Sex
    blood_type: BloodType | None = None
    allergies: Annotated[list[Allergy], msgspec.Meta(max_length=50)] = []
    emergency_contact: EmergencyContact | None = None


class PatientPatch(msgspec.Struct, forbid_unknown_fields=True):
    mrn: Mrn | msgspec.UnsetType = msgspec.UNSET
    birth_date: date | msgspec.UnsetType = msgspec.UNSET
    sex: Sex | msgspec.UnsetType = msgspec.UNSET
    blood_type: BloodType | msgspec.UnsetType | None = msgspec.UNSET
    allergies: Annotated[list[Allergy], msgspec.Meta(max_length=50)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    emergency_contact: EmergencyContact | msgspec.UnsetType | None = msgspec.UNSET


class Diagnosis(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=3, max_length=10)]
    text: Text500


class EncounterIn(msgspec.Struct, forbid_unknown_fields=True):
    starts_at: datetime
    clinician: Name
    status: EncounterStatus = "finished"
    reason: LongText | None = None
    diagnoses: Annotated[list[Diagnosis], msgspec.Meta(max_length=20)] = []
    notes: LongText | None = None


class ConditionIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(min_length=3, max_length=10)]
    text: Text500
    clinical_status: ConditionStatus = "active"
    onset_date: date | None = None
    encounter_id: uuid.UUID | None = None


class ObservationIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    value: Decimal
    unit: Annotated[str, msgspec.Meta(min_length=1, max_length=20, pattern=_NO_NUL)]
    effective_at: datetime
    encounter_id: uuid.UUID | None = None


class MedicationIn(msgspec.Struct, forbid_unknown_fields=True):
    medication: Annotated[str, msgspec.Meta(min_length=1, max_length=300, pattern=_NO_NUL)]
    status: MedicationStatus = "active"
    code: Code | None = None
    dosage: Text500 | None = None
    effective_start: date | None = None
    effective_end: date | None = None


class DocumentIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=300, pattern=_NO_NUL)]
    content_type: Annotated[
        str, msgspec.Meta(max_length=100, pattern=r"^[a-z]+/[a-z0-9.+\-]+$")
    ]
    # Base64; the request body limit bounds the size.
    content: Annotated[str, msgspec.Meta(min_length=1, pattern=r"^[A-Za-z0-9+/=\s]*$")]


class CarePlanIn(msgspec.Struct, forbid_unknown_fields=True):
    title: Annotated[str, msgspec.Meta(min_length=1, max_length=300, pattern=_NO_NUL)]
    category: Literal["rehabilitation", "treatment", "nursing"] = "rehabilitation"
    status: CarePlanStatus = "active"
    period_start: date | None = None
    period_end: date | None = None
    goals: Annotated[list[Text500], msgspec.Meta(max_length=50)] = []
    activities: Annotated[list[Text500], msgspec.Meta(max_length=50)] = []


class ConsentIn(msgspec.Struct, forbid_unknown_fields=True):
    """A consent for another clinic: ``organization`` (a slug on this deployment) or
    ``peer_id`` (an inbound federation peer: a clinic on another deployment), not both."""

    sections: Sections
    purpose: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=_NO_NUL)]
    evidence: Text500
    expires_at: datetime
    organization: Slug | None = None
    peer_id: uuid.UUID | None = None
    starts_at: datetime | None = None


class AccessRequestIn(msgspec.Struct, forbid_unknown_fields=True):
    organization: Slug
    mrn: Mrn
    birth_date: date
    sections: Sections
    purpose: Annotated[str, msgspec.Meta(min_length=1, max_length=200, pattern=_NO_NUL)]
    message: Note | None = None


class ApprovalIn(msgspec.Struct, forbid_unknown_fields=True):
    evidence: Text500
    expires_at: datetime
    sections: Sections | None = None
    note: Note | None = None


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    note: Note | None = None


class BreakGlassIn(msgspec.Struct, forbid_unknown_fields=True):
    organization: Slug
    mrn: Mrn
    birth_date: date
    reason: Annotated[str, msgspec.Meta(min_length=10, max_length=1000, pattern=_NO_NUL)]
    minutes: Annotated[int, msgspec.Meta(ge=1, le=240)] | None = None


class PeerIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    direction: Literal["inbound", "outbound"]
    jwks_url: Url | None = None
    client_id: ClientId | None = None
    token_url: Url | None = None
    fhir_base_url: Url | None = None


class PeerOut(msgspec.Struct):
    """A federation peer. For an inbound peer, ``token_url`` and ``fhir_base_url`` are
    ours: what the other deployment registers us with, with ``client_id``."""

    id: uuid.UUID
    name: str
    direction: Literal["inbound", "outbound"]
    client_id: str
    jwks_url: str | None
    token_url: str | None
    fhir_base_url: str | None
    created_at: datetime
    removed_at: datetime | None


class PeerPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Rename a peer, or rotate what it told us: its JWKS URL (inbound), its token and
    FHIR URLs (outbound)."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    jwks_url: Url | msgspec.UnsetType = msgspec.UNSET
    token_url: Url | msgspec.UnsetType = msgspec.UNSET
    fhir_base_url: Url | msgspec.UnsetType = msgspec.UNSET


class FetchIn(msgspec.Struct, forbid_unknown_fields=True):
    mrn: Mrn
    birth_date: date
