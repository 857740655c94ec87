"""Recording clinical entries on a patient: encounters (and appointments), conditions,
vital signs, medication statements, documents and care plans.

Each entry is validated (ICD-10 codes, LOINC vital signs with UCUM units, time zones),
written in the caller's tenant, audited with fingerprints of its clinical content, and
announced as a ``medical.entry_recorded`` event — all in the request's transaction.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Base, FieldError, Principal, TenantHooks, audit, emit, invalid, invalid_many
from rapport_plugins.medical import vocab
from rapport_plugins.medical.models import (
    CarePlan,
    Condition,
    Document,
    Encounter,
    MedicationStatement,
    Observation,
    Patient,
)
from rapport_plugins.medical.patients import find_patient
from rapport_plugins.medical.roles import (
    APPOINTMENTS,
    CARE_PLANS,
    CONDITIONS,
    DOCUMENTS,
    ENCOUNTERS,
    MEDICATIONS,
    OBSERVATIONS,
    access_of,
    require_section,
)
from rapport_plugins.medical.schemas import (
    CarePlanIn,
    ConditionIn,
    DocumentIn,
    EncounterIn,
    MedicationIn,
    ObservationIn,
)
from rapport_plugins.medical.trail import log_access, snapshot


def _aware(field: str, value: datetime) -> datetime:
    if value.tzinfo is None:
        raise invalid(field, "needs a UTC offset (e.g. 2024-05-01T09:30:00Z)")
    return value


def _icd10(field: str, code: str) -> str:
    code = code.strip().upper()
    if not vocab.ICD10_PATTERN.match(code):
        raise invalid(field, "must be an ICD-10 code such as J06.9")
    return code


async def _encounter_of(
    session: AsyncSession, patient: Patient, encounter_id: uuid.UUID | None
) -> uuid.UUID | None:
    if encounter_id is None:
        return None
    found = (
        await session.execute(
            select(Encounter.id).where(
                Encounter.tenant_id == patient.tenant_id,
                Encounter.patient_id == patient.id,
                Encounter.id == encounter_id,
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise invalid("encounter_id", "no encounter of this patient has this id")
    return found


async def _save(
    session: AsyncSession,
    principal: Principal,
    hooks: TenantHooks,
    patient: Patient,
    entry: Base,
    section: str,
    values: dict[str, Any],
) -> None:
    session.add(entry)
    await session.flush()
    entry_id = getattr(entry, "id")  # noqa: B009 - every entry model has one
    await log_access(
        session, principal, patient.id, audit.CREATE, [section],
        changes=audit.diff({}, snapshot(values, section)), entry=entry_id,
    )
    await emit(session, principal, hooks, "medical.entry_recorded", "medical.patient",
               patient.id, {"section": section, "entry_id": entry_id})


async def record_encounter(
    session: AsyncSession, principal: Principal, hooks: TenantHooks,
    patient_id: uuid.UUID, data: EncounterIn,
) -> Encounter:
    """Clinicians record visits; receptionists and nurses book appointments (``planned``,
    without reason, diagnoses or notes)."""
    # The patient first: another clinic's id is a 404 whatever the caller's role.
    patient = await find_patient(session, principal, patient_id)
    clinical = data.reason is not None or data.diagnoses or data.notes is not None
    if ENCOUNTERS not in access_of(principal).write:
        require_section(principal, APPOINTMENTS, write=True)
        if clinical or data.status != "planned":
            require_section(principal, ENCOUNTERS, write=True)
    diagnoses = [
        {"code": _icd10(f"diagnoses.{i}.code", d.code), "text": d.text.strip()}
        for i, d in enumerate(data.diagnoses)
    ]
    encounter = Encounter(
        tenant_id=principal.tenant_id, patient_id=patient.id,
        starts_at=_aware("starts_at", data.starts_at), status=data.status,
        clinician=data.clinician.strip(), reason=data.reason, diagnoses=diagnoses,
        notes=data.notes, recorded_by=principal.user_id,
    )
    values = {"starts_at": encounter.starts_at, "status": encounter.status,
              "clinician": encounter.clinician, "reason": encounter.reason,
              "diagnoses": diagnoses, "notes": encounter.notes}
    # An appointment is part of the encounters section too (grants cover it as such).
    await _save(session, principal, hooks, patient, encounter, ENCOUNTERS, values)
    return encounter


async def record_condition(
    session: AsyncSession, principal: Principal, hooks: TenantHooks,
    patient_id: uuid.UUID, data: ConditionIn,
) -> Condition:
    patient = await find_patient(session, principal, patient_id)
    require_section(principal, CONDITIONS, write=True)
    condition = Condition(
        tenant_id=principal.tenant_id, patient_id=patient.id,
        encounter_id=await _encounter_of(session, patient, data.encounter_id),
        code=_icd10("code", data.code), text=data.text.strip(),
        clinical_status=data.clinical_status, onset_date=data.onset_date,
        recorded_by=principal.user_id,
    )
    values = {"code": condition.code, "text": condition.text,
              "clinical_status": condition.clinical_status, "onset_date": condition.onset_date}
    await _save(session, principal, hooks, patient, condition, CONDITIONS, values)
    return condition


def _vital_sign(data: ObservationIn) -> vocab.VitalSign:
    vital = vocab.VITAL_SIGNS.get(data.code)
    if vital is None:
        raise invalid("code", f"must be a LOINC vital sign: one of {sorted(vocab.VITAL_SIGNS)}")
    errors = []
    if data.unit not in vital.units:
        errors.append(FieldError(
            "unit", f"{vital.display} is measured in UCUM {' or '.join(vital.units)}"))
    if not data.value.is_finite() or not vital.low <= float(data.value) <= vital.high:
        errors.append(FieldError(
            "value", f"must be between {vital.low} and {vital.high} for {vital.display}"))
    if errors:
        raise invalid_many(errors)
    return vital


async def record_observation(
    session: AsyncSession, principal: Principal, hooks: TenantHooks,
    patient_id: uuid.UUID, data: ObservationIn,
) -> Observation:
    patient = await find_patient(session, principal, patient_id)
    require_section(principal, OBSERVATIONS, write=True)
    _vital_sign(data)
    observation = Observation(
        tenant_id=principal.tenant_id, patient_id=patient.id,
        encounter_id=await _encounter_of(session, patient, data.encounter_id),
        code=data.code, value=data.value, unit=data.unit,
        effective_at=_aware("effective_at", data.effective_at), recorded_by=principal.user_id,
    )
    values = {"code": data.code, "value": data.value, "unit": data.unit,
              "effective_at": observation.effective_at}
    await _save(session, principal, hooks, patient, observation, OBSERVATIONS, values)
    return observation


async def record_medication(
    session: AsyncSession, principal: Principal, hooks: TenantHooks,
    patient_id: uuid.UUID, data: MedicationIn,
) -> MedicationStatement:
    patient = await find_patient(session, principal, patient_id)
    require_section(principal, MEDICATIONS, write=True)
    if data.effective_start and data.effective_end and data.effective_end < data.effective_start:
        raise invalid("effective_end", "must not be before effective_start")
    values = msgspec.structs.asdict(data)
    statement = MedicationStatement(
        tenant_id=principal.tenant_id, patient_id=patient.id, recorded_by=principal.user_id,
        **values,
    )
    await _save(session, principal, hooks, patient, statement, MEDICATIONS, values)
    return statement


async def record_document(
    session: AsyncSession, principal: Principal, hooks: TenantHooks,
    patient_id: uuid.UUID, data: DocumentIn,
) -> Document:
    patient = await find_patient(session, principal, patient_id)
    require_section(principal, DOCUMENTS, write=True)
    try:
        content = base64.b64decode("".join(data.content.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid("content", "must be base64") from exc
    if not content:
        raise invalid("content", "must not be empty")
    digest = hashlib.sha256(content).hexdigest()
    document = Document(
        tenant_id=principal.tenant_id, patient_id=patient.id, title=data.title.strip(),
        content_type=data.content_type, content=content, size=len(content), sha256=digest,
        recorded_by=principal.user_id,
    )
    values = {"title": document.title, "content_type": data.content_type,
              "size": len(content), "sha256": digest}
    await _save(session, principal, hooks, patient, document, DOCUMENTS, values)
    return document


async def record_care_plan(
    session: AsyncSession, principal: Principal, hooks: TenantHooks,
    patient_id: uuid.UUID, data: CarePlanIn,
) -> CarePlan:
    patient = await find_patient(session, principal, patient_id)
    require_section(principal, CARE_PLANS, write=True)
    if data.period_start and data.period_end and data.period_end < data.period_start:
        raise invalid("period_end", "must not be before period_start")
    values = msgspec.structs.asdict(data)
    plan = CarePlan(
        tenant_id=principal.tenant_id, patient_id=patient.id, recorded_by=principal.user_id,
        **values,
    )
    await _save(session, principal, hooks, patient, plan, CARE_PLANS, values)
    return plan
