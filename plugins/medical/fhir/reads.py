"""What a federation peer may read: only patients and sections covered right now by a
consent given to that peer. Every read is audited in the owning clinic's log."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, Tenant, audit, not_found
from rapport_plugins.medical.consent_models import Consent
from rapport_plugins.medical.fhir import mapping
from rapport_plugins.medical.models import Patient
from rapport_plugins.medical.roles import DEMOGRAPHICS, DOCUMENTS, SECTIONS
from rapport_plugins.medical.sections import read_rows
from rapport_plugins.medical.trail import log_access


def _active(principal: Principal, patient_id: uuid.UUID) -> Any:
    return select(Consent).where(
        Consent.tenant_id == principal.tenant_id,
        Consent.peer_id == principal.user_id,
        Consent.patient_id == patient_id,
        Consent.revoked_at.is_(None),
        Consent.starts_at <= func.now(),
        Consent.expires_at > func.now(),
    )


async def covered(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID
) -> dict[str, str]:
    """Section → purpose of the consents admitting this peer to the patient now."""
    rows = (await session.execute(_active(principal, patient_id))).scalars()
    return {s: c.purpose for c in rows for s in c.sections}


async def admit(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID, sections: Sequence[str]
) -> dict[str, str]:
    """404 (same as an unknown patient) unless a consent covers every section asked;
    then one audit entry for the read."""
    purposes = await covered(session, principal, patient_id)
    if not sections or any(s not in purposes for s in sections):
        raise not_found("Patient")
    await log_access(session, principal, patient_id, audit.READ, sections,
                     purpose="; ".join(sorted({purposes[s] for s in sections})),
                     via="federation", peer=principal.full_name)
    return purposes


async def find(
    session: AsyncSession, principal: Principal, mrn: str, birth_date: date | None
) -> uuid.UUID | None:
    """A patient this peer may see the demographics of, by MRN (and birth date)."""
    query = select(Patient.id).where(Patient.tenant_id == principal.tenant_id,
                                     Patient.mrn == mrn)
    if birth_date is not None:
        query = query.where(Patient.birth_date == birth_date)
    patient_id = (await session.execute(query)).scalar_one_or_none()
    if patient_id is None or DEMOGRAPHICS not in await covered(session, principal, patient_id):
        return None
    return patient_id


async def resources(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID, section: str
) -> list[dict[str, Any]]:
    rows = await read_rows(session, principal.tenant_id, patient_id, section)
    if section == DEMOGRAPHICS:
        return [mapping.patient(principal.tenant_id, r) for r in rows]
    return [mapping.SECTION_MAPPERS[section](r) for r in rows]


async def everything(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID
) -> list[dict[str, Any]]:
    """Every section the peer's consents cover, plus those consents."""
    granted = [s for s in SECTIONS if s in await covered(session, principal, patient_id)]
    await admit(session, principal, patient_id, granted)
    out: list[dict[str, Any]] = []
    for section in granted:
        if section != DOCUMENTS:
            out.extend(await resources(session, principal, patient_id, section))
        else:
            out.extend(mapping.document_reference(r)
                       for r in await read_rows(session, principal.tenant_id, patient_id,
                                                section))
    out.extend(await consents_for_peer(session, principal, patient_id))
    return out


async def consents_for_peer(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID
) -> list[dict[str, Any]]:
    rows = (
        await session.execute(
            select(Consent, func.now()).where(
                Consent.tenant_id == principal.tenant_id,
                Consent.peer_id == principal.user_id,
                Consent.patient_id == patient_id,
            ).order_by(Consent.id)
        )
    ).all()
    grantor = await session.get(Tenant, principal.tenant_id)
    assert grantor is not None
    return [
        mapping.consent(
            {c: getattr(consent, c) for c in (
                "id", "patient_id", "created_at", "evidence", "purpose", "starts_at",
                "expires_at", "sections")},
            grantor.name, principal.full_name,
            active=consent.revoked_at is None and consent.starts_at <= now < consent.expires_at,
        )
        for consent, now in rows
    ]
