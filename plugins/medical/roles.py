"""Who may see and change which part of a patient record.

The grantable parts ("sections") are the sharing rule's sections; each role reads and
writes a fixed set of them. A receptionist sees demographics and appointments (planned
encounters without reason, diagnoses or notes), never clinical content — allergies are a
section of their own and the blood type is an observation, both clinical.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapport.sdk import Principal, RoleDefinition, SharingRule, forbidden

RECORD_TYPE = "medical.patient"
DEMOGRAPHICS = "demographics"
ENCOUNTERS = "encounters"
CONDITIONS = "conditions"
OBSERVATIONS = "observations"
MEDICATIONS = "medications"
DOCUMENTS = "documents"
CARE_PLANS = "care_plans"
ALLERGIES = "allergies"
SECTIONS: tuple[str, ...] = (
    DEMOGRAPHICS, ENCOUNTERS, CONDITIONS, OBSERVATIONS, MEDICATIONS, DOCUMENTS, CARE_PLANS,
    ALLERGIES,
)
# What a receptionist gets of the encounters section: the appointment, not the visit.
APPOINTMENTS = "appointments"

CLINICIAN = "clinician"
NURSE = "nurse"
RECEPTIONIST = "receptionist"


@dataclass(frozen=True)
class SectionAccess:
    read: frozenset[str]
    write: frozenset[str]


ALL = frozenset(SECTIONS)
ACCESS: dict[str, SectionAccess] = {
    CLINICIAN: SectionAccess(ALL | {APPOINTMENTS}, ALL | {APPOINTMENTS}),
    NURSE: SectionAccess(
        ALL | {APPOINTMENTS},
        frozenset({DEMOGRAPHICS, OBSERVATIONS, CARE_PLANS, DOCUMENTS, APPOINTMENTS, ALLERGIES}),
    ),
    RECEPTIONIST: SectionAccess(
        frozenset({DEMOGRAPHICS, APPOINTMENTS}), frozenset({DEMOGRAPHICS, APPOINTMENTS})
    ),
    # Managers run the clinic's register and its sharing; clinical content is not theirs.
    "owner": SectionAccess(frozenset({DEMOGRAPHICS}), frozenset({DEMOGRAPHICS})),
    "admin": SectionAccess(frozenset({DEMOGRAPHICS}), frozenset({DEMOGRAPHICS})),
}
NO_ACCESS = SectionAccess(frozenset(), frozenset())

PATIENT_RULE = SharingRule(
    record_type=RECORD_TYPE,
    read_roles=frozenset({NURSE, RECEPTIONIST, "owner", "admin"}),
    write_roles=frozenset({CLINICIAN}),
    sections=SECTIONS,
    cross_tenant=True,
)

ROLES = (
    RoleDefinition(
        CLINICIAN, "Clinician",
        ("medical.read_clinical", "medical.write_clinical", "medical.break_glass",
         "medical.decide_access"),
        kernel_role="member",
    ),
    RoleDefinition(NURSE, "Nurse", ("medical.read_clinical",), kernel_role="member"),
    RoleDefinition(RECEPTIONIST, "Receptionist", ("medical.book",), kernel_role="member"),
)
# Who decides on access requests and federation: the clinic's managers and its clinicians.
DECIDERS = frozenset({"owner", "admin", CLINICIAN})


def access_of(principal: Principal) -> SectionAccess:
    return ACCESS.get(principal.role, NO_ACCESS)


def readable(principal: Principal, sections: Iterable[str] = SECTIONS) -> list[str]:
    allowed = access_of(principal).read
    return [s for s in sections if s in allowed]


def require_section(principal: Principal, section: str, *, write: bool = False) -> None:
    """403 naming the role and section unless the role may read (or write) it."""
    access = access_of(principal)
    if section not in (access.write if write else access.read):
        verb = "change" if write else "see"
        raise forbidden(f"Role '{principal.role}' may not {verb} {section} of a patient record")


def require_decider(principal: Principal) -> None:
    if principal.role not in DECIDERS:
        raise forbidden("Only owners, admins and clinicians decide on access to records")
