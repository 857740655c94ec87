"""The medical plugin's hooks: what it adds to Rapport (tables, routes, roles, sharing
rule, workflow, settings) and how it reacts (contact renames, timeline)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rapport.sdk import (
    CONTACT_MERGED,
    CONTACT_UPDATED,
    ConsoleUI,
    DomainEvent,
    MemberMeasure,
    Permission,
    PluginManifest,
    RoleDefinition,
    SharingRule,
    TimelineEntry,
    TimelineQuery,
    Workflow,
    hookimpl,
)
from rapport_plugins.medical.access import ACCESS_REQUEST
from rapport_plugins.medical.consent_models import AccessRequest, BreakGlass, Consent
from rapport_plugins.medical.console import UI
from rapport_plugins.medical.federation.controllers import (
    FederationController,
    FederationPublicController,
)
from rapport_plugins.medical.federation.models import FederationPeer, SeenAssertion
from rapport_plugins.medical.fhir.controllers import FhirController, FhirDiscoveryController
from rapport_plugins.medical.measures import MEASURES
from rapport_plugins.medical.models import (
    CarePlan,
    Condition,
    Document,
    Encounter,
    MedicationStatement,
    Observation,
    Patient,
)
from rapport_plugins.medical.patients import follow_contact
from rapport_plugins.medical.roles import PATIENT_RULE, ROLES
from rapport_plugins.medical.routes.patients import PatientController
from rapport_plugins.medical.routes.sharing import (
    AccessRequestController,
    BreakGlassController,
    ConsentController,
    SharedRecordController,
)
from rapport_plugins.medical.settings import MedicalSettings
from rapport_plugins.medical.timeline import encounter_entries

PERMISSIONS = (
    Permission("medical.read_clinical", "Read clinical sections of patient records"),
    Permission("medical.write_clinical", "Record encounters, conditions, medications"),
    Permission("medical.break_glass", "Open another clinic's record in an emergency"),
    Permission("medical.decide_access", "Approve, deny and revoke access to records"),
    Permission("medical.book", "Register patients and book appointments"),
)


@hookimpl
def rapport_manifest() -> PluginManifest:
    return PluginManifest(
        name="medical",
        title="Medical records",
        version="1.0.0",
        description="Patient records that clinics share with the patient's consent, "
        "across organizations and deployments, every access audited.",
        permissions=tuple(p.key for p in PERMISSIONS),
        price_key="price_medical",
        tags=("vertical", "healthcare"),
    )


@hookimpl
def rapport_models() -> list[type]:
    return [Patient, Encounter, Condition, Observation, MedicationStatement, Document,
            CarePlan, Consent, AccessRequest, BreakGlass, FederationPeer, SeenAssertion]


@hookimpl
def rapport_migrations() -> Path:
    return Path(__file__).parent / "migrations" / "versions"


@hookimpl
def rapport_routes() -> list[Any]:
    return [PatientController, ConsentController, AccessRequestController,
            SharedRecordController, BreakGlassController, FederationController,
            FederationPublicController, FhirDiscoveryController, FhirController]


@hookimpl
def rapport_workflows() -> list[Workflow]:
    return [ACCESS_REQUEST]


@hookimpl
def rapport_sharing_rules() -> list[SharingRule]:
    return [PATIENT_RULE]


@hookimpl
def rapport_permissions() -> list[Permission]:
    return list(PERMISSIONS)


@hookimpl
def rapport_roles() -> list[RoleDefinition]:
    return list(ROLES)


@hookimpl
def rapport_settings_schema() -> type:
    return MedicalSettings


@hookimpl
async def rapport_event(event: DomainEvent) -> None:
    if event.name in (CONTACT_UPDATED, CONTACT_MERGED) and event.record_id is not None:
        await follow_contact(event.session, event.tenant_id, event.record_id)


@hookimpl
async def rapport_timeline(query: TimelineQuery) -> list[TimelineEntry]:
    return await encounter_entries(query)


@hookimpl
def rapport_cli_commands() -> list[Any]:
    from rapport_plugins.medical.cli import medical

    return [medical]


@hookimpl
def rapport_console() -> ConsoleUI:
    return UI


@hookimpl
def rapport_member_measures() -> list[MemberMeasure]:
    return MEASURES
