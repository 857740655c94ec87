"""Patients and their records: ``/api/v1/medical/patients``."""

from __future__ import annotations

import base64
import uuid
from datetime import date
from typing import Annotated, Any, TypeVar

from litestar import Controller, Request, Response, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import MAX_LIMIT, Principal, TenantHooks, audit, not_found
from rapport_plugins.medical import allergies, chart, entries, patients, report
from rapport_plugins.medical.fhir.mapping import FHIR_JSON
from rapport_plugins.medical.responses import (
    MedicalAccessReport,
    MedicalCarePlanOut,
    MedicalChartOut,
    MedicalConditionOut,
    MedicalDocumentContent,
    MedicalDocumentOut,
    MedicalEncounterOut,
    MedicalMedicationOut,
    MedicalObservationOut,
    MedicalPatientOut,
    MedicalPatientPage,
    of,
)
from rapport_plugins.medical.roles import DOCUMENTS, require_section
from rapport_plugins.medical.schemas import (
    CarePlanIn,
    ConditionIn,
    DocumentIn,
    EncounterIn,
    MedicationIn,
    ObservationIn,
    PatientIn,
    PatientPatch,
    Section,
)
from rapport_plugins.medical.sections import as_json, document_content
from rapport_plugins.medical.trail import log_access

E = TypeVar("E")
Sections = Annotated[list[Section] | None, QueryParameter(
    description="Sections to read (default: all your role may see)")]


async def patients_out(db: AsyncSession, principal: Principal,
                       found: list[Any]) -> list[MedicalPatientOut]:
    """Patients as answered: demographics, and the allergies and blood type the caller's
    role may see (``null`` otherwise)."""
    facts = await allergies.facts(db, principal, [p.id for p in found])
    return [of(MedicalPatientOut, as_json([{
        **patients.demographics(p), "id": p.id, "created_at": p.created_at,
        "allergies": facts[p.id].allergies, "blood_type": facts[p.id].blood_type}])[0])
        for p in found]


async def patient_out(db: AsyncSession, principal: Principal, patient: Any) -> MedicalPatientOut:
    return (await patients_out(db, principal, [patient]))[0]


def chart_out(found: chart.Chart) -> MedicalChartOut:
    return of(MedicalChartOut, audit.jsonable({
        "owner_tenant_id": found.owner_tenant_id, "patient_id": found.patient_id,
        "break_glass": found.break_glass, "sections": found.sections}))


def entry_out(kind: type[E], entry: Any) -> E:
    row = {c.name: getattr(entry, c.key) for c in entry.__table__.c
           if c.name not in ("tenant_id", "content")}
    return of(kind, as_json([row])[0])


class PatientController(Controller):
    path = "/patients"

    @post("/", status_code=201)
    async def register(self, data: JSONBody[PatientIn], principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession],
                       hooks: NamedDependency[TenantHooks]) -> MedicalPatientOut:
        """A patient profile on one of your contacts (MRN unique in your clinic: 409)."""
        return await patient_out(db, principal,
                                 await patients.register(db, principal, hooks, data))

    @get("/")
    async def search(
        self, principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
        mrn: Annotated[str | None, QueryParameter(max_length=40, pattern=r"^[^\x00]*$")] = None,
        birth_date: FromQuery[date | None] = None,
        contact_id: FromQuery[uuid.UUID | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=64)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> MedicalPatientPage:
        page = await patients.search(db, principal, mrn=mrn, birth_date=birth_date,
                                     contact_id=contact_id, cursor=cursor, limit=limit)
        return MedicalPatientPage(await patients_out(db, principal, page.items),
                                  page.next_cursor)

    @get("/{patient_id:uuid}")
    async def read(self, patient_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession]) -> MedicalPatientOut:
        return await patient_out(db, principal, await patients.read(db, principal, patient_id))

    @patch("/{patient_id:uuid}")
    async def change(self, patient_id: FromPath[uuid.UUID], data: JSONBody[PatientPatch],
                     principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                     hooks: NamedDependency[TenantHooks]) -> MedicalPatientOut:
        return await patient_out(db, principal,
                                 await patients.change(db, principal, hooks, patient_id, data))

    @get("/{patient_id:uuid}/record")
    async def record(self, patient_id: FromPath[uuid.UUID],
                     principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                     sections: Sections = None) -> MedicalChartOut:
        """The chart: every section your role may see (a receptionist: demographics and
        appointments). Audited."""
        return chart_out(await chart.read_own(db, principal, patient_id, sections))

    @get("/{patient_id:uuid}/export")
    async def export(self, request: Request, patient_id: FromPath[uuid.UUID],
                     principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession]) -> Response[dict[str, Any]]:
        """The record as a FHIR Bundle for the patient to take elsewhere."""
        base = str(request.base_url).rstrip("/") + "/api/v1/medical/fhir"
        bundle = await report.export_bundle(db, principal, patient_id, base)
        return Response(bundle, media_type=FHIR_JSON)

    @get("/{patient_id:uuid}/access-report")
    async def access_report(self, patient_id: FromPath[uuid.UUID],
                            principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession]) -> MedicalAccessReport:
        """Who has looked at (or changed) this record, newest first."""
        return of(MedicalAccessReport,
                  {"items": await report.access_report(db, principal, patient_id)})

    @post("/{patient_id:uuid}/encounters", status_code=201)
    async def add_encounter(self, patient_id: FromPath[uuid.UUID], data: JSONBody[EncounterIn],
                            principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            hooks: NamedDependency[TenantHooks]) -> MedicalEncounterOut:
        """Clinicians record visits; receptionists and nurses book ``planned`` ones."""
        return entry_out(MedicalEncounterOut, await entries.record_encounter(
            db, principal, hooks, patient_id, data))

    @post("/{patient_id:uuid}/conditions", status_code=201)
    async def add_condition(self, patient_id: FromPath[uuid.UUID], data: JSONBody[ConditionIn],
                            principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            hooks: NamedDependency[TenantHooks]) -> MedicalConditionOut:
        return entry_out(MedicalConditionOut, await entries.record_condition(
            db, principal, hooks, patient_id, data))

    @post("/{patient_id:uuid}/observations", status_code=201)
    async def add_observation(self, patient_id: FromPath[uuid.UUID],
                              data: JSONBody[ObservationIn],
                              principal: NamedDependency[Principal],
                              db: NamedDependency[AsyncSession],
                              hooks: NamedDependency[TenantHooks]) -> MedicalObservationOut:
        """A vital sign: LOINC code and its UCUM unit (422 naming ``unit`` otherwise)."""
        return entry_out(MedicalObservationOut, await entries.record_observation(
            db, principal, hooks, patient_id, data))

    @post("/{patient_id:uuid}/medications", status_code=201)
    async def add_medication(self, patient_id: FromPath[uuid.UUID],
                             data: JSONBody[MedicationIn], principal: NamedDependency[Principal],
                             db: NamedDependency[AsyncSession],
                             hooks: NamedDependency[TenantHooks]) -> MedicalMedicationOut:
        return entry_out(MedicalMedicationOut, await entries.record_medication(
            db, principal, hooks, patient_id, data))

    @post("/{patient_id:uuid}/documents", status_code=201)
    async def add_document(self, patient_id: FromPath[uuid.UUID], data: JSONBody[DocumentIn],
                           principal: NamedDependency[Principal],
                           db: NamedDependency[AsyncSession],
                           hooks: NamedDependency[TenantHooks]) -> MedicalDocumentOut:
        return entry_out(MedicalDocumentOut, await entries.record_document(
            db, principal, hooks, patient_id, data))

    @get("/{patient_id:uuid}/documents/{document_id:uuid}/content")
    async def document(self, patient_id: FromPath[uuid.UUID], document_id: FromPath[uuid.UUID],
                       principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession]) -> MedicalDocumentContent:
        """A document with its content (base64, as it was uploaded). Audited."""
        patient = await patients.find_patient(db, principal, patient_id)
        require_section(principal, DOCUMENTS)
        found = await document_content(db, principal.tenant_id, patient.id, document_id)
        if found is None:
            raise not_found("Document")
        await log_access(db, principal, patient.id, audit.READ, [DOCUMENTS],
                         entry=document_id)
        return MedicalDocumentContent(found["id"], found["title"], found["content_type"],
                                      base64.b64encode(found["content"]).decode())

    @post("/{patient_id:uuid}/care-plans", status_code=201)
    async def add_care_plan(self, patient_id: FromPath[uuid.UUID], data: JSONBody[CarePlanIn],
                            principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            hooks: NamedDependency[TenantHooks]) -> MedicalCarePlanOut:
        return entry_out(MedicalCarePlanOut, await entries.record_care_plan(
            db, principal, hooks, patient_id, data))
