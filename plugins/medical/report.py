"""For one patient: who looked at the record (and who changed it), from the audit log;
and the whole record as a FHIR Bundle for the patient to take elsewhere."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, Tenant, User, audit
from rapport_plugins.medical.fhir import mapping
from rapport_plugins.medical.patients import find_patient
from rapport_plugins.medical.roles import (
    DEMOGRAPHICS,
    RECORD_TYPE,
    SECTIONS,
    readable,
    require_decider,
)
from rapport_plugins.medical.sections import document_content, read_rows
from rapport_plugins.medical.trail import log_access

REPORT_LIMIT = 200


async def access_report(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID
) -> list[dict[str, Any]]:
    """Newest first: every audited access to the patient, with who, from which clinic,
    which sections, why, and through which door (local, shared, federation, break-glass)."""
    require_decider(principal)
    patient = await find_patient(session, principal, patient_id)
    entries = list((await session.execute(audit.history_statement(
        principal.tenant_id, record_type=RECORD_TYPE, record_id=patient.id,
        limit=REPORT_LIMIT))).scalars())[:REPORT_LIMIT]
    users = {u.id: u.full_name for u in (await session.execute(select(User).where(
        User.id.in_({e.actor_user_id for e in entries if e.actor_user_id})))).scalars()}
    tenants = {t.id: t.name for t in (await session.execute(select(Tenant).where(
        Tenant.id.in_({e.actor_tenant_id for e in entries})))).scalars()}
    report = []
    for e in entries:
        detail = e.detail or {}
        who = users.get(e.actor_user_id) if e.actor_user_id else None
        # A federation peer acts inside our tenant (as its registered peer): the reader is
        # the peer's clinic on its deployment, not us.
        remote = who is None and detail.get("via") == "federation" and detail.get("peer")
        report.append(audit.jsonable({
            "at": e.at, "action": e.action,
            "who": who or detail.get("peer") or "unknown",
            "organization": remote or tenants.get(e.actor_tenant_id),
            "organization_id": None if remote else e.actor_tenant_id,
            "sections": detail.get("sections") or ([detail["section"]] if "section" in detail
                                                   else []),
            "purpose": detail.get("purpose"), "via": detail.get("via"),
            "break_glass": bool(detail.get("break_glass")),
        }))
    return report


async def export_bundle(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID, base: str
) -> dict[str, Any]:
    """The record as a FHIR ``Bundle`` (type ``collection``), documents with their
    content; every section the caller's role may read. Audited as an export."""
    patient = await find_patient(session, principal, patient_id)
    sections = readable(principal, SECTIONS)
    resources: list[dict[str, Any]] = []
    for section in sections:
        rows = await read_rows(session, principal.tenant_id, patient.id, section)
        if section == DEMOGRAPHICS:
            resources.extend(mapping.patient(principal.tenant_id, r) for r in rows)
        elif section == "documents":
            for r in rows:
                full = await document_content(session, principal.tenant_id, patient.id, r["id"])
                resources.append(mapping.document_reference(r, full["content"] if full else None))
        else:
            resources.extend(mapping.SECTION_MAPPERS[section](r) for r in rows)
    await log_access(session, principal, patient.id, "medical.export", sections)
    # Named after the patient: the same record exports as the same Bundle.
    bundle_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{base}/Patient/{patient.id}/export")
    return mapping.bundle(resources, "collection", base, bundle_id)
