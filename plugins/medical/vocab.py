"""Coded values the plugin accepts: ICD-10 diagnoses, LOINC vital signs with their UCUM
units, and the FHIR value sets used for statuses."""

from __future__ import annotations

import re
from dataclasses import dataclass

ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
LOINC_SYSTEM = "http://loinc.org"
UCUM_SYSTEM = "http://unitsofmeasure.org"
# A letter, two digits, then optionally a dot and up to four more characters (J06.9, S72.001A).
ICD10_PATTERN = re.compile(r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-TV-Z]{1,4})?$")


@dataclass(frozen=True)
class VitalSign:
    code: str
    display: str
    units: tuple[str, ...]  # UCUM codes accepted, the usual one first
    low: float
    high: float  # plausible range in the usual unit's scale (any accepted unit)


VITAL_SIGNS: dict[str, VitalSign] = {
    v.code: v
    for v in (
        VitalSign("8867-4", "Heart rate", ("/min",), 0, 400),
        VitalSign("9279-1", "Respiratory rate", ("/min",), 0, 200),
        VitalSign("8310-5", "Body temperature", ("Cel", "[degF]"), 10, 115),
        VitalSign("8480-6", "Systolic blood pressure", ("mm[Hg]",), 0, 400),
        VitalSign("8462-4", "Diastolic blood pressure", ("mm[Hg]",), 0, 300),
        VitalSign("59408-5", "Oxygen saturation", ("%",), 0, 100),
        VitalSign("29463-7", "Body weight", ("kg", "g", "[lb_av]"), 0, 700_000),
        VitalSign("8302-2", "Body height", ("cm", "m", "[in_i]"), 0, 300),
        VitalSign("39156-5", "Body mass index", ("kg/m2",), 0, 200),
    )
}

# The blood type is an observation with a coded value (LOINC "ABO and Rh group").
BLOOD_GROUP = "882-1"
BLOOD_GROUP_DISPLAY = "ABO and Rh group [Type] in Blood"

SEXES = ("female", "male", "other", "unknown")
BLOOD_TYPES = ("A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-")
ENCOUNTER_STATUSES = ("planned", "arrived", "in-progress", "finished", "cancelled")
CONDITION_STATUSES = ("active", "recurrence", "relapse", "inactive", "remission", "resolved")
MEDICATION_STATUSES = (
    "active", "completed", "entered-in-error", "intended", "stopped", "on-hold", "unknown",
    "not-taken",
)
CARE_PLAN_STATUSES = ("draft", "active", "on-hold", "revoked", "completed")
