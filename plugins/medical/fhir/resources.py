"""The FHIR resource types this server reads and searches, each with the record section
a consent must cover and its search parameters — the one list the search, the scope checks
and the CapabilityStatement all read, so the statement says exactly what is honoured."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

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

Resource = dict[str, Any]


@dataclass(frozen=True)
class Param:
    """A search parameter: its FHIR type, and what it compares in a resource (token
    pairs, date-like values, referenced ids or strings)."""

    name: str
    type: str  # token | date | reference | string
    values: Callable[[Resource], Iterable[Any]]
    documentation: str
    target: str = "Patient"  # for references
    definition: str | None = None


@dataclass(frozen=True)
class Kind:
    name: str
    section: str | None  # None: consents, which are not a section of the record
    params: tuple[Param, ...] = field(default=())
    sort_date: str | None = None  # the parameter ``_sort=date`` orders by

    def param(self, name: str) -> Param | None:
        return next((p for p in (*self.params, *COMMON) if p.name == name), None)


def codings(concept: Any) -> list[tuple[str | None, str | None]]:
    if not isinstance(concept, dict):
        return []
    return [(c.get("system"), c.get("code")) for c in concept.get("coding", [])]


def _many(resource: Resource, key: str) -> list[Any]:
    found = resource.get(key)
    return found if isinstance(found, list) else ([] if found is None else [found])


def _coded(key: str) -> Callable[[Resource], list[tuple[str | None, str | None]]]:
    return lambda r: [pair for concept in _many(r, key) for pair in codings(concept)]


def _status(system: str) -> Callable[[Resource], list[tuple[str | None, str | None]]]:
    return lambda r: [(system, r.get("status"))]


def _ref(key: str) -> Callable[[Resource], list[str]]:
    return lambda r: [x["reference"] for x in _many(r, key) if "reference" in x]


def _at(key: str) -> Callable[[Resource], list[Any]]:
    return lambda r: _many(r, key)


def _patient_refs(key: str) -> tuple[Param, Param]:
    return (
        Param("patient", "reference", _ref(key), "The patient: Patient/<id> or <id>"),
        Param("subject", "reference", _ref(key),
              "The subject (always a patient here): Patient/<id> or <id>"),
    )


def _names(part: str) -> Callable[[Resource], list[str]]:
    def values(r: Resource) -> list[str]:
        out: list[str] = []
        for name in _many(r, "name"):
            if part in ("family", "name") and name.get("family"):
                out.append(name["family"])
            if part in ("given", "name"):
                out.extend(name.get("given", []))
            if part == "name" and name.get("text"):
                out.append(name["text"])
        return out
    return values


COMMON = (
    Param("_id", "token", lambda r: [(None, r["id"])], "The resource id"),
    Param("_lastUpdated", "date", lambda r: [r["meta"]["lastUpdated"]],
          "When the resource last changed (meta.lastUpdated)"),
)
_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("Patient", DEMOGRAPHICS, (
        Param("identifier", "token",
              lambda r: [(i.get("system"), i.get("value")) for i in r.get("identifier", [])],
              "The medical record number: [system|]MRN"),
        Param("birthdate", "date", _at("birthDate"), "Date of birth, with prefixes"),
        Param("family", "string", _names("family"), "Family name (starts with)"),
        Param("given", "string", _names("given"), "Given name (starts with)"),
        Param("name", "string", _names("name"), "Any part of the name (starts with)"),
        Param("gender", "token", lambda r: [("http://hl7.org/fhir/administrative-gender",
                                             r.get("gender"))], "Administrative gender"),
    ), sort_date="birthdate"),
    Kind("AllergyIntolerance", ALLERGIES, (
        Param("patient", "reference", _ref("patient"), "The patient: Patient/<id> or <id>"),
        Param("clinical-status", "token", _coded("clinicalStatus"), "active"),
        Param("criticality", "token",
              lambda r: [("http://hl7.org/fhir/allergy-intolerance-criticality",
                          r.get("criticality"))], "low | high"),
    )),
    Kind("Encounter", ENCOUNTERS, (
        *_patient_refs("subject"),
        Param("date", "date", _at("period"), "The period of the encounter"),
        Param("status", "token", _status("http://hl7.org/fhir/encounter-status"),
              "planned | arrived | in-progress | finished | cancelled"),
        Param("class", "token", lambda r: [(r["class"].get("system"), r["class"].get("code"))],
              "The class of the encounter (AMB)"),
    ), sort_date="date"),
    Kind("Condition", CONDITIONS, (
        *_patient_refs("subject"),
        Param("code", "token", _coded("code"), "The ICD-10 code: [system|]code"),
        Param("clinical-status", "token", _coded("clinicalStatus"),
              "active | recurrence | relapse | inactive | remission | resolved"),
        Param("onset-date", "date", _at("onsetDateTime"), "When the condition began"),
        Param("recorded-date", "date", _at("recordedDate"), "When it was recorded"),
        Param("encounter", "reference", _ref("encounter"), "The encounter it was noted at",
              target="Encounter"),
    ), sort_date="recorded-date"),
    Kind("Observation", OBSERVATIONS, (
        *_patient_refs("subject"),
        Param("code", "token", _coded("code"),
              "The LOINC code: [system|]code (882-1: the blood type)"),
        Param("category", "token", _coded("category"),
              "vital-signs | laboratory (the blood type)"),
        Param("date", "date", _at("effectiveDateTime"), "When it was observed"),
        Param("status", "token", _status("http://hl7.org/fhir/observation-status"), "final"),
        Param("encounter", "reference", _ref("encounter"), "The encounter it was taken at",
              target="Encounter"),
    ), sort_date="date"),
    Kind("MedicationStatement", MEDICATIONS, (
        *_patient_refs("subject"),
        Param("code", "token", _coded("medicationCodeableConcept"), "The medication code"),
        Param("status", "token",
              _status("http://hl7.org/fhir/CodeSystem/medication-statement-status"),
              "active | completed | stopped | on-hold | …"),
        Param("effective", "date", _at("effectivePeriod"), "When it was taken"),
    ), sort_date="effective"),
    Kind("CarePlan", CARE_PLANS, (
        *_patient_refs("subject"),
        Param("status", "token", _status("http://hl7.org/fhir/request-status"),
              "draft | active | completed | …"),
        Param("date", "date", _at("period"), "The period the plan covers"),
    ), sort_date="date"),
    Kind("DocumentReference", DOCUMENTS, (
        *_patient_refs("subject"),
        Param("date", "date", _at("date"), "When the document was filed"),
        Param("status", "token", _status("http://hl7.org/fhir/document-reference-status"),
              "current"),
    ), sort_date="date"),
    Kind("Consent", None, (
        Param("patient", "reference", _ref("patient"), "The patient: Patient/<id> or <id>"),
        Param("status", "token", _status("http://hl7.org/fhir/consent-state-codes"),
              "active | inactive"),
        Param("date", "date", _at("dateTime"), "When the consent was recorded"),
    ), sort_date="date"),
)}
# The resource type each section's rows become.
SECTION_KIND = {k.section: k.name for k in KINDS.values() if k.section}
# Search result parameters honoured besides the filters; ``_offset`` is ours (the
# ``next`` links carry it), ``_format``/``_pretty`` apply to every interaction.
# ``_summary``, ``_elements``, ``_include`` and ``_revinclude`` are parsed by name in
# ``search.parse`` (``results`` applies them).
RESULT_PARAMS = ("_count", "_offset", "_sort", "_format", "_pretty")
