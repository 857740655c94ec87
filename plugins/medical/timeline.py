"""Encounters on the patient's contact timeline (the kernel's timeline hook). What an
entry shows follows the reader's role; reading it is audited like any other read."""

from __future__ import annotations

from sqlalchemy import select

from rapport.sdk import TimelineEntry, TimelineQuery, audit
from rapport_plugins.medical.models import Encounter, Patient
from rapport_plugins.medical.roles import APPOINTMENTS, ENCOUNTERS, access_of
from rapport_plugins.medical.trail import log_access


async def encounter_entries(query: TimelineQuery) -> list[TimelineEntry]:
    if query.actor is None:  # no reader, no role: nothing medical to show
        return []
    actor = query.actor
    allowed = access_of(actor).read
    clinical = ENCOUNTERS in allowed
    if not clinical and APPOINTMENTS not in allowed:
        return []
    patient_id = (
        await query.session.execute(
            select(Patient.id).where(Patient.tenant_id == query.tenant_id,
                                     Patient.contact_id == query.contact_id)
        )
    ).scalar_one_or_none()
    if patient_id is None:
        return []
    stmt = select(Encounter).where(Encounter.tenant_id == query.tenant_id,
                                   Encounter.patient_id == patient_id)
    if query.before is not None:
        stmt = stmt.where(Encounter.starts_at < query.before)
    rows = list((await query.session.execute(
        stmt.order_by(Encounter.starts_at.desc()).limit(query.limit))).scalars())
    if not rows:
        return []
    await log_access(query.session, actor, patient_id, audit.READ,
                     [ENCOUNTERS if clinical else APPOINTMENTS], via="timeline")
    return [
        TimelineEntry(
            at=e.starts_at,
            kind="medical.encounter" if clinical else "medical.appointment",
            title=("Encounter" if clinical else "Appointment") + f" with {e.clinician}",
            summary=(e.reason or "") if clinical else e.status,
            record_type="medical.patient", record_id=patient_id, source="medical",
            data={"encounter_id": str(e.id), "status": e.status,
                  **({"diagnoses": [d["code"] for d in e.diagnoses]} if clinical else {})},
        )
        for e in rows
    ]
