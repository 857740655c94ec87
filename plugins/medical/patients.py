"""Patient profiles: register, look up, change demographics. Every lookup is scoped by
the acting principal's tenant; every read and write is audited."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, TypeAlias

import msgspec
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Contact,
    Page,
    Principal,
    TenantHooks,
    audit,
    by_id,
    conflict,
    cut,
    emit,
    get_contact,
    newest_first,
    not_found,
)
from rapport_plugins.medical import allergies
from rapport_plugins.medical.models import Patient
from rapport_plugins.medical.roles import DEMOGRAPHICS, require_section
from rapport_plugins.medical.schemas import PatientIn, PatientPatch
from rapport_plugins.medical.trail import log_access

DEMOGRAPHIC_FIELDS = (
    "contact_id", "given_name", "family_name", "mrn", "birth_date", "sex", "emergency_contact",
)
# Given with the patient, kept apart (``allergies`` module): clinical, not demographics.
CLINICAL_FIELDS = ("allergies", "blood_type")


PatientPage: TypeAlias = Page[Patient]


def demographics(patient: Patient) -> dict[str, Any]:
    return {key: getattr(patient, key) for key in DEMOGRAPHIC_FIELDS}


async def find_patient(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID
) -> Patient:
    """The caller's own patient, or 404 (also for another tenant's id). Not audited: the
    callers log what they read of it."""
    patient = (
        await session.execute(
            select(Patient).where(
                Patient.tenant_id == principal.tenant_id, Patient.id == patient_id
            )
        )
    ).scalar_one_or_none()
    if patient is None:
        raise not_found("Patient")
    return patient


async def _flush_unique(session: AsyncSession) -> None:
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        # Unique keys include tenant_id: the clash is within the caller's own clinic.
        raise conflict(
            "A patient with this medical record number (or for this contact) already exists"
        ) from exc


async def register(
    session: AsyncSession, principal: Principal, hooks: TenantHooks, data: PatientIn
) -> Patient:
    require_section(principal, DEMOGRAPHICS, write=True)
    allergies.require_writable(principal, data.allergies, data.blood_type)
    contact = await get_contact(session, principal, data.contact_id)  # 404 if not ours
    values = msgspec.to_builtins(data)
    patient = Patient(
        tenant_id=principal.tenant_id,
        contact_id=data.contact_id,
        given_name=contact.given_name,
        family_name=contact.family_name,
        mrn=data.mrn,
        birth_date=data.birth_date,
        sex=data.sex,
        emergency_contact=values["emergency_contact"],
        created_by=principal.user_id,
    )
    session.add(patient)
    await _flush_unique(session)
    await log_access(
        session, principal, patient.id, audit.CREATE, [DEMOGRAPHICS],
        changes=audit.diff({}, demographics(patient)),
    )
    if data.allergies:
        await allergies.replace_allergies(session, principal, patient.id, data.allergies)
    if data.blood_type is not None:
        await allergies.record_blood_type(session, principal, patient.id, data.blood_type)
    await emit(session, principal, hooks, "medical.patient_registered", "medical.patient",
               patient.id, {"contact_id": patient.contact_id})
    return patient


async def read(session: AsyncSession, principal: Principal, patient_id: uuid.UUID) -> Patient:
    require_section(principal, DEMOGRAPHICS)
    patient = await find_patient(session, principal, patient_id)
    await log_access(session, principal, patient.id, audit.READ,
                     [DEMOGRAPHICS, *allergies.visible_sections(principal)])
    return patient


async def change(
    session: AsyncSession,
    principal: Principal,
    hooks: TenantHooks,
    patient_id: uuid.UUID,
    data: PatientPatch,
) -> Patient:
    require_section(principal, DEMOGRAPHICS, write=True)
    allergies.require_writable(principal, data.allergies, data.blood_type)
    patient = await find_patient(session, principal, patient_id)
    before = demographics(patient)
    for key, value in msgspec.structs.asdict(data).items():
        if value is not msgspec.UNSET and key not in CLINICAL_FIELDS:
            setattr(patient, key, msgspec.to_builtins(value) if key == "emergency_contact"
                    else value)
    await _flush_unique(session)
    if data.allergies is not msgspec.UNSET:
        await allergies.replace_allergies(session, principal, patient.id, data.allergies)
    if data.blood_type is not msgspec.UNSET:
        await allergies.record_blood_type(session, principal, patient.id, data.blood_type)
    changes = audit.diff(before, demographics(patient))
    if changes:
        await log_access(session, principal, patient.id, audit.UPDATE, [DEMOGRAPHICS],
                         changes=changes)
        await emit(session, principal, hooks, "medical.patient_updated", "medical.patient",
                   patient.id, {"fields": sorted(changes)})
    return patient


async def search(
    session: AsyncSession,
    principal: Principal,
    *,
    mrn: str | None,
    birth_date: date | None,
    contact_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> PatientPage:
    """Newest first; each patient listed is a demographics read, logged one by one."""
    require_section(principal, DEMOGRAPHICS)
    query = select(Patient).where(Patient.tenant_id == principal.tenant_id)
    if mrn is not None:
        query = query.where(Patient.mrn == mrn)
    if birth_date is not None:
        query = query.where(Patient.birth_date == birth_date)
    if contact_id is not None:
        query = query.where(Patient.contact_id == contact_id)
    query = newest_first(query, Patient.id, cursor, limit)
    rows = list((await session.execute(query)).scalars())
    page = cut(rows, limit, by_id)
    for patient in page.items:
        await log_access(session, principal, patient.id, audit.READ,
                         [DEMOGRAPHICS, *allergies.visible_sections(principal)], via="search")
    return page


async def follow_contact(
    session: AsyncSession, tenant_id: uuid.UUID, contact_id: uuid.UUID
) -> None:
    """Copy a renamed contact's name onto its patient profile (the contact.updated hook)."""
    names = (
        await session.execute(
            select(Contact.given_name, Contact.family_name).where(
                Contact.tenant_id == tenant_id, Contact.id == contact_id
            )
        )
    ).one_or_none()
    if names is None:
        return
    await session.execute(
        update(Patient)
        .where(Patient.tenant_id == tenant_id, Patient.contact_id == contact_id)
        .values(given_name=names.given_name, family_name=names.family_name)
        .execution_options(synchronize_session=False)
    )
