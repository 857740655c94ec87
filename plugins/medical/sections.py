"""Reading the sections of one patient's record, whoever owns it.

Statements use the Core tables (``Model.__table__``), not the ORM entities: the session
adds ``tenant_id = <caller>`` to ORM queries, which would hide a granting clinic's rows
that RLS admits. Every statement still names the owner tenant and is led by the
``(tenant_id, patient_id, …)`` indexes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import FromClause, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import audit
from rapport_plugins.medical.models import (
    Allergy,
    CarePlan,
    Condition,
    Document,
    Encounter,
    MedicationStatement,
    Observation,
    Patient,
)
from rapport_plugins.medical.roles import (
    ALLERGIES,
    APPOINTMENTS,
    CARE_PLANS,
    CONDITIONS,
    DEMOGRAPHICS,
    DOCUMENTS,
    ENCOUNTERS,
    MEDICATIONS,
    OBSERVATIONS,
)

TABLES: dict[str, FromClause] = {
    DEMOGRAPHICS: Patient.__table__,
    ENCOUNTERS: Encounter.__table__,
    CONDITIONS: Condition.__table__,
    OBSERVATIONS: Observation.__table__,
    MEDICATIONS: MedicationStatement.__table__,
    DOCUMENTS: Document.__table__,
    CARE_PLANS: CarePlan.__table__,
    ALLERGIES: Allergy.__table__,
}
# Never part of a listing: a document's bytes are fetched one by one.
HIDDEN = frozenset({"tenant_id", "content"})
# The owner's internal user ids: meaningless to another clinic, and not theirs to learn.
OWNER_ONLY = ("recorded_by", "created_by", "contact_id")
# What a receptionist sees of an encounter: the appointment.
APPOINTMENT_COLUMNS = ("id", "patient_id", "starts_at", "status", "clinician", "created_at")
Row = Mapping[str, Any]


async def read_rows(
    session: AsyncSession, owner: uuid.UUID, patient_id: uuid.UUID, section: str
) -> list[Row]:
    """The rows of one section, oldest first (demographics: the patient row itself)."""
    table = TABLES[section]
    columns = [c for c in table.c if c.name not in HIDDEN]
    key = table.c.id if section == DEMOGRAPHICS else table.c.patient_id
    query = select(*columns).where(table.c.tenant_id == owner, key == patient_id)
    order = {ENCOUNTERS: "starts_at", OBSERVATIONS: "effective_at"}.get(section, "created_at")
    rows = await session.execute(query.order_by(table.c[order], table.c.id))
    return [dict(r) for r in rows.mappings()]


def appointment_view(row: Row) -> dict[str, Any]:
    return {key: row[key] for key in APPOINTMENT_COLUMNS}


def as_json(rows: Sequence[Row]) -> list[dict[str, Any]]:
    return [audit.jsonable(dict(r)) for r in rows]


async def read_sections(
    session: AsyncSession,
    owner: uuid.UUID,
    patient_id: uuid.UUID,
    sections: Sequence[str],
    *,
    shared: bool = False,
) -> dict[str, list[dict[str, Any]]]:
    """Several sections as JSON-ready lists; ``appointments`` is the encounters section
    cut down to what a receptionist may see. ``shared``: read by another clinic, so the
    owner's user ids are left out."""
    out: dict[str, list[dict[str, Any]]] = {}
    for section in sections:
        if section == APPOINTMENTS:
            rows = await read_rows(session, owner, patient_id, ENCOUNTERS)
            out[APPOINTMENTS] = as_json([appointment_view(r) for r in rows])
        else:
            out[section] = as_json(await read_rows(session, owner, patient_id, section))
        if shared:
            out[section] = [{k: v for k, v in r.items() if k not in OWNER_ONLY}
                            for r in out[section]]
    return out


async def document_content(
    session: AsyncSession, owner: uuid.UUID, patient_id: uuid.UUID, document_id: uuid.UUID
) -> Row | None:
    d = Document.__table__.c
    row = (
        await session.execute(
            select(d.id, d.title, d.content_type, d.content).where(
                d.tenant_id == owner, d.patient_id == patient_id, d.id == document_id
            )
        )
    ).mappings().one_or_none()
    return None if row is None else dict(row)
