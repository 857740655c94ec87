"""Who may do what in the education module.

Registrars keep the records and the catalogue; instructors record results in the courses
they teach; advisors read records and recommendations. Owners and admins act as registrars.
"""

from __future__ import annotations

from rapport.sdk import Principal, RoleDefinition, SharingRule, forbidden

REGISTRAR = "registrar"
INSTRUCTOR = "instructor"
ADVISOR = "advisor"

RECORDS = frozenset({"owner", "admin", REGISTRAR})
READERS = RECORDS | {INSTRUCTOR, ADVISOR, "member", "viewer"}

ROLES = (
    RoleDefinition(REGISTRAR, "Registrar", ("education.records", "education.catalogue"),
                   kernel_role="member"),
    RoleDefinition(INSTRUCTOR, "Instructor", ("education.results",), kernel_role="member"),
    RoleDefinition(ADVISOR, "Advisor", ("education.advise",), kernel_role="member"),
)

LEARNER_RULE = SharingRule(
    record_type="education.learner",
    read_roles=READERS,
    write_roles=RECORDS,
)


def require_registrar(principal: Principal) -> None:
    if principal.role not in RECORDS:
        raise forbidden(f"Role '{principal.role}' may not change education records; "
                        "registrars, admins and owners do")


def require_reader(principal: Principal) -> None:
    if principal.role not in READERS:
        raise forbidden(f"Role '{principal.role}' may not read education records")
