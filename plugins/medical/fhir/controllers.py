"""FHIR R4 endpoints for federation peers (``/api/v1/medical/fhir``): bearer tokens from
our token endpoint only, ``application/fhir+json`` answers, and every error an
``OperationOutcome`` — malformed search parameters included."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.middleware import DefineMiddleware
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, RapportError, Settings
from rapport_plugins.medical.federation.doors import MEMBER_DOOR, FhirDoor
from rapport_plugins.medical.federation.peers import FHIR_PATH
from rapport_plugins.medical.fhir import mapping, reads
from rapport_plugins.medical.roles import (
    CONDITIONS,
    DEMOGRAPHICS,
    ENCOUNTERS,
    MEDICATIONS,
    OBSERVATIONS,
)

ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found",
               405: "not-supported", 413: "too-long", 422: "invalid"}
Identifier = Annotated[str, QueryParameter(
    min_length=1, max_length=300, pattern=r"^[^\x00|]*\|?[^\x00|]+$",
    description="MRN, or <system>|<MRN>")]
Birthdate = Annotated[date | None, QueryParameter(description="YYYY-MM-DD")]
PatientRef = Annotated[str, QueryParameter(
    pattern=r"^(Patient/)?[0-9a-fA-F-]{36}$", description="Patient/<id> or <id>")]


def _outcome(status: int, diagnostics: str, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(mapping.outcome(status, ISSUE_CODES.get(status, "exception"), diagnostics),
                    status_code=status, media_type=mapping.FHIR_JSON, headers=headers)


def on_rapport_error(_: Request, exc: RapportError) -> Response[Any]:
    return _outcome(exc.status, exc.detail, exc.headers)


def on_validation_error(_: Request, exc: ValidationException) -> Response[Any]:
    # A malformed search parameter is a 400 in FHIR, with the parameter named.
    items = exc.extra if isinstance(exc.extra, list) else []
    names = ", ".join(str(i.get("key")) for i in items if isinstance(i, dict) and i.get("key"))
    return _outcome(400, f"Invalid search parameter: {names or exc.detail}")


def on_http_error(_: Request, exc: HTTPException) -> Response[Any]:
    status = exc.status_code if exc.status_code < 500 else 500
    detail = "Resource not found" if isinstance(exc, NotFoundException) else str(exc.detail)
    return _outcome(status, detail if status < 500 else "Internal server error", exc.headers)


def _bundle(request: Request, resources: list[dict[str, Any]]) -> Response[Any]:
    base = str(request.base_url).rstrip("/") + FHIR_PATH
    return Response(mapping.bundle(resources, "searchset", base), media_type=mapping.FHIR_JSON)


def _patient_id(reference: str) -> uuid.UUID:
    return uuid.UUID(reference.removeprefix("Patient/"))


class FhirController(Controller):
    path = "/fhir"
    opt = {"exclude_from_auth": True}
    middleware = [
        DefineMiddleware(FhirDoor, exclude_from_auth_key=MEMBER_DOOR, exclude_http_methods=[])
    ]
    exception_handlers = {
        RapportError: on_rapport_error,
        ValidationException: on_validation_error,
        HTTPException: on_http_error,
    }
    # FHIR doors are described the FHIR way (resources and search parameters), and take
    # peer tokens only: they are not part of the member API's OpenAPI document.
    include_in_schema = False

    @get("/Patient")
    async def search_patients(
        self, request: Request, principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession], settings: NamedDependency[Settings],
        identifier: Identifier, birthdate: Birthdate = None,
    ) -> Response[Any]:
        """Search by ``identifier`` (the MRN) and ``birthdate``: a Bundle with the patient
        if a consent to you covers its demographics; an empty Bundle otherwise."""
        system, _, value = identifier.rpartition("|")
        found = None
        if not system or system == mapping.mrn_system(principal.tenant_id):
            found = await reads.find(db, principal, value, birthdate)
        if found is None:
            return _bundle(request, [])
        await reads.admit(db, principal, found, [DEMOGRAPHICS])
        return _bundle(request, await reads.resources(db, principal, found, DEMOGRAPHICS))

    @get("/Patient/{patient_id:uuid}")
    async def read_patient(
        self, patient_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> Response[Any]:
        await reads.admit(db, principal, patient_id, [DEMOGRAPHICS])
        found = await reads.resources(db, principal, patient_id, DEMOGRAPHICS)
        return Response(found[0], media_type=mapping.FHIR_JSON)

    @get("/Patient/{patient_id:uuid}/$everything")
    async def everything(
        self, request: Request, patient_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
    ) -> Response[Any]:
        """Every section your consents cover, and the consents, as one Bundle."""
        return _bundle(request, await reads.everything(db, principal, patient_id))

    async def _section(self, request: Request, principal: Principal, db: AsyncSession,
                       patient: str, section: str) -> Response[Any]:
        patient_id = _patient_id(patient)
        await reads.admit(db, principal, patient_id, [section])
        return _bundle(request, await reads.resources(db, principal, patient_id, section))

    @get("/Encounter")
    async def encounters(self, request: Request, principal: NamedDependency[Principal],
                         db: NamedDependency[AsyncSession], patient: PatientRef) -> Response[Any]:
        return await self._section(request, principal, db, patient, ENCOUNTERS)

    @get("/Condition")
    async def conditions(self, request: Request, principal: NamedDependency[Principal],
                         db: NamedDependency[AsyncSession], patient: PatientRef) -> Response[Any]:
        return await self._section(request, principal, db, patient, CONDITIONS)

    @get("/Observation")
    async def observations(self, request: Request, principal: NamedDependency[Principal],
                           db: NamedDependency[AsyncSession],
                           patient: PatientRef) -> Response[Any]:
        return await self._section(request, principal, db, patient, OBSERVATIONS)

    @get("/MedicationStatement")
    async def medications(self, request: Request, principal: NamedDependency[Principal],
                          db: NamedDependency[AsyncSession],
                          patient: PatientRef) -> Response[Any]:
        return await self._section(request, principal, db, patient, MEDICATIONS)

    @get("/Consent")
    async def consents(self, request: Request, principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession], patient: PatientRef) -> Response[Any]:
        """The consents given to you for this patient, active or not."""
        found = await reads.consents_for_peer(db, principal, _patient_id(patient))
        return _bundle(request, found)
