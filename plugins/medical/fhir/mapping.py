"""Patient record rows → FHIR R4 resources, each validated against ``fhir.resources``
(its R4B package, R4-compatible for these resources) before it leaves the server."""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.allergyintolerance import AllergyIntolerance
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.documentreference import DocumentReference
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.medicationstatement import MedicationStatement
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.resource import Resource

from rapport.sdk import audit
from rapport_plugins.medical import vocab
from rapport_plugins.medical.roles import (
    ALLERGIES,
    CARE_PLANS,
    CONDITIONS,
    DEMOGRAPHICS,
    DOCUMENTS,
    ENCOUNTERS,
    MEDICATIONS,
    OBSERVATIONS,
)

FHIR_JSON = "application/fhir+json"
Row = Mapping[str, Any]
MODELS: dict[str, type[Resource]] = {
    "Patient": Patient, "Encounter": Encounter, "Condition": Condition,
    "Observation": Observation, "MedicationStatement": MedicationStatement,
    "Consent": Consent, "CarePlan": CarePlan, "DocumentReference": DocumentReference,
    "Bundle": Bundle, "OperationOutcome": OperationOutcome,
    "CapabilityStatement": CapabilityStatement, "AllergyIntolerance": AllergyIntolerance,
}
ENCOUNTER_STATUS = {"in-progress": "in-progress", "planned": "planned", "arrived": "arrived",
                    "finished": "finished", "cancelled": "cancelled"}


def validated(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource, once its ``fhir.resources`` model accepts it (ValueError otherwise)."""
    clean = audit.jsonable(resource)
    MODELS[clean["resourceType"]].model_validate(clean)
    return clean


def mrn_system(owner: uuid.UUID) -> str:
    return f"urn:uuid:{owner}"


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _ref(kind: str, ident: Any) -> dict[str, str]:
    return {"reference": f"{kind}/{ident}"}


def version_of(changed: datetime) -> str:
    """``meta.versionId`` (and the ETag): the row's last change in microseconds, so it
    moves exactly when the row does; section rows are never edited, patients are."""
    return str(int(changed.timestamp() * 1_000_000))


def _meta(changed: datetime) -> dict[str, str]:
    return {"versionId": version_of(changed), "lastUpdated": _instant(changed)}


def patient(owner: uuid.UUID, row: Row) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Patient", "id": str(row["id"]), "meta": _meta(row["updated_at"]),
        "identifier": [{"use": "usual", "system": mrn_system(owner), "value": row["mrn"],
                        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203",
                                             "code": "MR"}]}}],
        "gender": row["sex"], "birthDate": row["birth_date"],
    }
    name = {k: v for k, v in (("family", row.get("family_name")),
                              ("given", [row["given_name"]] if row.get("given_name") else None))
            if v}
    if name:
        resource["name"] = [name]
    contact = row.get("emergency_contact")
    if contact:
        entry: dict[str, Any] = {"name": {"text": contact["name"]}}
        if contact.get("relationship"):
            entry["relationship"] = [{"text": contact["relationship"]}]
        if contact.get("phone"):
            entry["telecom"] = [{"system": "phone", "value": contact["phone"]}]
        resource["contact"] = [entry]
    return validated(resource)


CRITICALITY = {"severe": "high", "moderate": "low", "mild": "low"}


def allergy_intolerance(row: Row) -> dict[str, Any]:
    """A recorded allergy (the ``allergies`` section) as ``AllergyIntolerance``."""
    resource: dict[str, Any] = {
        "resourceType": "AllergyIntolerance", "id": str(row["id"]),
        "meta": _meta(row["created_at"]),
        "clinicalStatus": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
            "code": "active"}]},
        "code": {"text": row["substance"]},
        "patient": _ref("Patient", row["patient_id"]),
        "recordedDate": _instant(row["created_at"]),
    }
    if row.get("severity"):
        resource["criticality"] = CRITICALITY[row["severity"]]
    if row.get("reaction"):
        reaction: dict[str, Any] = {"manifestation": [{"text": row["reaction"]}]}
        if row.get("severity"):
            reaction["severity"] = row["severity"]
        resource["reaction"] = [reaction]
    return validated(resource)


def encounter(row: Row) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Encounter", "id": str(row["id"]),
        "meta": _meta(row["created_at"]),
        "status": ENCOUNTER_STATUS[row["status"]],
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "subject": _ref("Patient", row["patient_id"]),
        "period": {"start": _instant(row["starts_at"])},
        "participant": [{"individual": {"display": row["clinician"]}}],
    }
    if row.get("reason"):
        resource["reasonCode"] = [{"text": row["reason"]}]
    if row.get("diagnoses"):
        resource["extension"] = [
            {"url": "urn:rapport:medical:diagnosis",
             "valueCodeableConcept": {"coding": [{"system": vocab.ICD10_SYSTEM,
                                                  "code": d["code"], "display": d["text"]}],
                                      "text": d["text"]}}
            for d in row["diagnoses"]
        ]
    return validated(resource)


def condition(row: Row) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Condition", "id": str(row["id"]),
        "meta": _meta(row["created_at"]),
        "clinicalStatus": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
            "code": row["clinical_status"]}]},
        "code": {"coding": [{"system": vocab.ICD10_SYSTEM, "code": row["code"],
                             "display": row["text"]}], "text": row["text"]},
        "subject": _ref("Patient", row["patient_id"]),
        "recordedDate": _instant(row["created_at"]),
    }
    if row.get("onset_date"):
        resource["onsetDateTime"] = row["onset_date"]
    if row.get("encounter_id"):
        resource["encounter"] = _ref("Encounter", row["encounter_id"])
    return validated(resource)


def observation(row: Row) -> dict[str, Any]:
    """A vital sign (``valueQuantity``), or the blood type (category laboratory, LOINC
    882-1, ``valueCodeableConcept``)."""
    coded = row.get("value_code") is not None
    if coded:
        code, display, category = vocab.BLOOD_GROUP, vocab.BLOOD_GROUP_DISPLAY, "laboratory"
    else:
        vital = vocab.VITAL_SIGNS[row["code"]]
        code, display, category = vital.code, vital.display, "vital-signs"
    resource: dict[str, Any] = {
        "resourceType": "Observation", "id": str(row["id"]), "status": "final",
        "meta": _meta(row["created_at"]),
        "category": [{"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": category}]}],
        "code": {"coding": [{"system": vocab.LOINC_SYSTEM, "code": code,
                             "display": display}], "text": display},
        "subject": _ref("Patient", row["patient_id"]),
        "effectiveDateTime": _instant(row["effective_at"]),
    }
    if coded:
        resource["valueCodeableConcept"] = {"text": row["value_code"]}
    else:
        resource["valueQuantity"] = {"value": float(row["value"]), "unit": row["unit"],
                                     "system": vocab.UCUM_SYSTEM, "code": row["unit"]}
    if row.get("encounter_id"):
        resource["encounter"] = _ref("Encounter", row["encounter_id"])
    return validated(resource)


def medication_statement(row: Row) -> dict[str, Any]:
    concept: dict[str, Any] = {"text": row["medication"]}
    if row.get("code"):
        concept["coding"] = [{"code": row["code"], "display": row["medication"]}]
    resource: dict[str, Any] = {
        "resourceType": "MedicationStatement", "id": str(row["id"]),
        "meta": _meta(row["created_at"]), "status": row["status"],
        "medicationCodeableConcept": concept, "subject": _ref("Patient", row["patient_id"]),
        "dateAsserted": _instant(row["created_at"]),
    }
    if row.get("dosage"):
        resource["dosage"] = [{"text": row["dosage"]}]
    period = {k: v for k, v in (("start", row.get("effective_start")),
                                ("end", row.get("effective_end"))) if v}
    if period:
        resource["effectivePeriod"] = period
    return validated(resource)


def care_plan(row: Row) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "CarePlan", "id": str(row["id"]),
        "meta": _meta(row["created_at"]), "status": row["status"],
        "intent": "plan", "title": row["title"], "category": [{"text": row["category"]}],
        "subject": _ref("Patient", row["patient_id"]),
        "note": [{"text": f"Goal: {g}"} for g in row.get("goals") or []],
        "activity": [{"detail": {"status": "not-started", "description": a}}
                     for a in row.get("activities") or []],
    }
    period = {k: v for k, v in (("start", row.get("period_start")),
                                ("end", row.get("period_end"))) if v}
    if period:
        resource["period"] = period
    return validated({k: v for k, v in resource.items() if v != []})


def document_reference(row: Row, content: bytes | None = None) -> dict[str, Any]:
    attachment: dict[str, Any] = {"contentType": row["content_type"], "title": row["title"],
                                  "size": row["size"],
                                  "hash": base64.b64encode(bytes.fromhex(row["sha256"])).decode()}
    if content is not None:
        attachment["data"] = base64.b64encode(content).decode()
    return validated({
        "resourceType": "DocumentReference", "id": str(row["id"]), "status": "current",
        "meta": _meta(row["created_at"]),
        "subject": _ref("Patient", row["patient_id"]), "date": _instant(row["created_at"]),
        "content": [{"attachment": attachment}],
    })


def consent(c: Row, grantor_name: str, grantee: str, *, active: bool) -> dict[str, Any]:
    """A consent grant as FHIR R4 ``Consent``: who granted it to whom, for which sections
    (``provision.class`` uses our section names), purpose, window and evidence."""
    return validated({
        "resourceType": "Consent", "id": str(c["id"]),
        "meta": _meta(c.get("revoked_at") or c["created_at"]),
        "status": "active" if active else "inactive",
        "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope",
                              "code": "patient-privacy"}]},
        "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0",
                                  "display": "Patient Consent"}]}],
        "patient": _ref("Patient", c["patient_id"]),
        "dateTime": _instant(c["created_at"]),
        "organization": [{"display": grantor_name}],
        "sourceAttachment": {"title": c["evidence"][:200]},
        "policyRule": {"text": c["purpose"]},
        "provision": {
            "type": "permit",
            "period": {"start": _instant(c["starts_at"]), "end": _instant(c["expires_at"])},
            "actor": [{"role": {"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
                "code": "IRCP"}]}, "reference": {"display": grantee}}],
            "purpose": [{"system": "urn:rapport:medical:purpose", "code": "sharing",
                         "display": c["purpose"]}],
            "class": [{"system": "urn:rapport:medical:section", "code": s}
                      for s in c["sections"]],
        },
    })


SECTION_MAPPERS = {
    ENCOUNTERS: encounter, CONDITIONS: condition, OBSERVATIONS: observation,
    MEDICATIONS: medication_statement, CARE_PLANS: care_plan, DOCUMENTS: document_reference,
    ALLERGIES: allergy_intolerance,
}
RESOURCE_SECTIONS = {
    "Patient": DEMOGRAPHICS, "Encounter": ENCOUNTERS, "Condition": CONDITIONS,
    "Observation": OBSERVATIONS, "MedicationStatement": MEDICATIONS,
}


def bundle(resources: Iterable[dict[str, Any]], kind: str, base: str,
           bundle_id: uuid.UUID | None = None) -> dict[str, Any]:
    entries = [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r}
               for r in resources]
    body: dict[str, Any] = {"resourceType": "Bundle", "id": str(bundle_id or uuid.uuid4()),
                            "type": kind, "entry": entries}
    if bundle_id is None:
        body["timestamp"] = _instant(datetime.now(UTC))
    if kind == "searchset":
        body["total"] = len(entries)
    return validated(body if entries else {k: v for k, v in body.items() if k != "entry"})


def searchset(resources: Iterable[dict[str, Any]], base: str, total: int,
              links: list[dict[str, str]],
              included: Iterable[dict[str, Any]] = ()) -> dict[str, Any]:
    """A search's answer: the page of matches, the total, the paging links, and the
    resources ``_include``/``_revinclude`` brought along (``search.mode = include``)."""
    entries = [{"fullUrl": f"{base}/{r['resourceType']}/{r['id']}", "resource": r,
                "search": {"mode": mode}}
               for group, mode in ((resources, "match"), (included, "include"))
               for r in group]
    body: dict[str, Any] = {"resourceType": "Bundle", "id": str(uuid.uuid4()),
                            "meta": {"lastUpdated": _instant(datetime.now(UTC))},
                            "type": "searchset", "total": total, "link": links}
    if entries:
        body["entry"] = entries
    return validated(body)


def history(resource: dict[str, Any], base: str, *, created: bool) -> dict[str, Any]:
    """``[type]/[id]/_history``: the versions this server keeps — the current one only
    (section rows are never edited; earlier demographics of a patient are not kept)."""
    kind, ident, meta = resource["resourceType"], resource["id"], resource["meta"]
    return validated({
        "resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "history", "total": 1,
        "meta": {"lastUpdated": _instant(datetime.now(UTC))},
        "link": [{"relation": "self", "url": f"{base}/{kind}/{ident}/_history"}],
        "entry": [{
            "fullUrl": f"{base}/{kind}/{ident}", "resource": resource,
            "request": {"method": "POST" if created else "PUT",
                        "url": kind if created else f"{kind}/{ident}"},
            "response": {"status": "201 Created" if created else "200 OK",
                         "etag": f'W/"{meta["versionId"]}"',
                         "lastModified": meta["lastUpdated"]},
        }],
    })


def outcome(status: int, code: str, diagnostics: str) -> dict[str, Any]:
    severity = "error" if status < 500 else "fatal"
    return validated({"resourceType": "OperationOutcome", "issue": [
        {"severity": severity, "code": code, "diagnostics": diagnostics}]})
