"""Sharing between clinics: consents, access requests, reading a shared record, and
break-glass. ``/api/v1/medical/…``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter, SkipValidation
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import MAX_LIMIT, Principal, Workflow, load_settings
from rapport_plugins.medical import access, break_glass, chart, consents
from rapport_plugins.medical.fhir import mapping
from rapport_plugins.medical.responses import (
    MedicalAccessRequestList,
    MedicalAccessRequestOut,
    MedicalBreakGlassList,
    MedicalChartOut,
    MedicalConsentList,
    MedicalConsentOut,
    of,
)
from rapport_plugins.medical.routes.patients import Sections, chart_out
from rapport_plugins.medical.schemas import (
    AccessRequestIn,
    ApprovalIn,
    BreakGlassIn,
    ConsentIn,
    DecisionIn,
)
from rapport_plugins.medical.settings import MedicalSettings

Definitions = SkipValidation[Mapping[str, Workflow]]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)]


class ConsentController(Controller):
    path = "/"

    @post("/patients/{patient_id:uuid}/consents", status_code=201)
    async def grant(self, patient_id: FromPath[uuid.UUID], data: JSONBody[ConsentIn],
                    principal: NamedDependency[Principal],
                    db: NamedDependency[AsyncSession]) -> MedicalConsentOut:
        """Record the patient's consent to share sections with another clinic (by slug) or
        a federation peer, until ``expires_at``. Owners, admins and clinicians."""
        consent = await consents.grant(
            db, principal, patient_id, sections=list(data.sections), purpose=data.purpose,
            evidence=data.evidence, expires_at=data.expires_at, starts_at=data.starts_at,
            organization=data.organization, peer_id=data.peer_id,
        )
        return of(MedicalConsentOut, consents.as_dict(await consents.view(db, principal,
                                                                          consent.id)))

    @get("/patients/{patient_id:uuid}/consents")
    async def for_patient(self, patient_id: FromPath[uuid.UUID],
                          principal: NamedDependency[Principal],
                          db: NamedDependency[AsyncSession]) -> MedicalConsentList:
        views = await consents.for_patient(db, principal, patient_id)
        return of(MedicalConsentList, {"items": [consents.as_dict(v) for v in views]})

    @get("/consents/{consent_id:uuid}")
    async def read(self, consent_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession]) -> MedicalConsentOut:
        """A consent your clinic gave or received."""
        return of(MedicalConsentOut,
                  consents.as_dict(await consents.view(db, principal, consent_id)))

    @get("/consents/{consent_id:uuid}/fhir")
    async def fhir(self, consent_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession]) -> Response[dict[str, Any]]:
        """The consent as a FHIR R4 ``Consent`` resource."""
        v = await consents.view(db, principal, consent_id)
        grantee = v.grantee.name if v.grantee else (v.peer_name or "")
        body = mapping.consent(v.consent, v.grantor.name, grantee, active=v.state == "active")
        return Response(body, media_type=mapping.FHIR_JSON)

    @post("/consents/{consent_id:uuid}/revoke", status_code=200)
    async def revoke(self, consent_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession],
                     workflow_definitions: NamedDependency[Definitions]) -> MedicalConsentOut:
        """End the consent now: the other clinic's next request sees nothing."""
        await access.revoke_consent(db, principal, workflow_definitions, consent_id)
        return of(MedicalConsentOut,
                  consents.as_dict(await consents.view(db, principal, consent_id)))


class AccessRequestController(Controller):
    path = "/access-requests"

    @post("/", status_code=201)
    async def file(self, data: JSONBody[AccessRequestIn], principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession]) -> MedicalAccessRequestOut:
        """Ask another clinic for a patient by MRN and date of birth. The answer is the
        same whether or not they match anyone there."""
        request_id = await access.file(
            db, principal, organization=data.organization, mrn=data.mrn,
            birth_date=data.birth_date, sections=list(data.sections), purpose=data.purpose,
            message=data.message,
        )
        return of(MedicalAccessRequestOut, await access.get(db, principal, request_id))

    @get("/")
    async def list_requests(self, principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            direction: FromQuery[Literal["incoming", "outgoing"] | None] = None,
                            limit: Limit = 50) -> MedicalAccessRequestList:
        return of(MedicalAccessRequestList,
                  {"items": await access.list_requests(db, principal, direction, limit)})

    @get("/{request_id:uuid}")
    async def read(self, request_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession]) -> MedicalAccessRequestOut:
        return of(MedicalAccessRequestOut, await access.get(db, principal, request_id))

    @post("/{request_id:uuid}/approve", status_code=200)
    async def approve(self, request_id: FromPath[uuid.UUID], data: JSONBody[ApprovalIn],
                      principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                      workflow_definitions: NamedDependency[Definitions]
                      ) -> MedicalAccessRequestOut:
        """Grant access (with the patient's consent evidence), possibly to fewer sections."""
        return of(MedicalAccessRequestOut, await access.decide(
            db, principal, workflow_definitions, request_id, "approve", note=data.note,
            evidence=data.evidence, expires_at=data.expires_at,
            sections=list(data.sections) if data.sections else None,
        ))

    @post("/{request_id:uuid}/deny", status_code=200)
    async def deny(self, request_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession],
                   workflow_definitions: NamedDependency[Definitions],
                   data: JSONBody[DecisionIn | None] = None) -> MedicalAccessRequestOut:
        return of(MedicalAccessRequestOut, await access.decide(
            db, principal, workflow_definitions, request_id, "deny",
            note=data.note if data else None))

    @post("/{request_id:uuid}/revoke", status_code=200)
    async def revoke(self, request_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession],
                     workflow_definitions: NamedDependency[Definitions],
                     data: JSONBody[DecisionIn | None] = None) -> MedicalAccessRequestOut:
        return of(MedicalAccessRequestOut, await access.decide(
            db, principal, workflow_definitions, request_id, "revoke",
            note=data.note if data else None))


class SharedRecordController(Controller):
    path = "/shared"

    @get("/{owner_id:uuid}/patients/{patient_id:uuid}")
    async def read(self, owner_id: FromPath[uuid.UUID], patient_id: FromPath[uuid.UUID],
                   principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                   sections: Sections = None) -> MedicalChartOut:
        """Another clinic's patient, read-only: the sections its grant covers now (404
        when none, or when a section asked for by name is not covered)."""
        return chart_out(await chart.read_shared(db, principal, owner_id, patient_id, sections))


class BreakGlassController(Controller):
    path = "/break-glass"

    @post("/", status_code=201)
    async def open(self, data: JSONBody[BreakGlassIn], principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession]) -> MedicalChartOut:
        """Clinicians, in an emergency: open another clinic's patient without consent,
        giving a reason. Limited in time, flagged, and reported to that clinic."""
        settings = await load_settings(db, principal.tenant_id, "medical", MedicalSettings)
        found = await break_glass.open_record(
            db, principal, organization=data.organization, mrn=data.mrn,
            birth_date=data.birth_date, reason=data.reason,
            minutes=data.minutes or settings.break_glass_minutes,
        )
        return chart_out(found)

    @get("/")
    async def openings(self, principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession],
                       direction: FromQuery[Literal["incoming", "outgoing"]] = "incoming",
                       limit: Limit = 50) -> MedicalBreakGlassList:
        """``incoming``: other clinics' openings of your patients; ``outgoing``: yours."""
        return of(MedicalBreakGlassList,
                  {"items": await break_glass.openings(db, principal, direction, limit)})
