"""Request and response bodies of ``/api/v1/education`` (msgspec: the OpenAPI document
states every bound the server checks)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

import msgspec

from rapport.sdk import LongText, Name

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[^\x00\s]+$")]
Uri = Annotated[str, msgspec.Meta(min_length=1, max_length=500,
                                  pattern=r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\x00\s]+$")]
Term = Annotated[str, msgspec.Meta(min_length=1, max_length=20, pattern=r"^[^\x00]*$")]
Language = Annotated[str, msgspec.Meta(min_length=2, max_length=12,
                                       pattern=r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")]
EqfLevel = Annotated[int, msgspec.Meta(ge=1, le=8, description="EQF level 1-8")]
Proficiency = Annotated[int, msgspec.Meta(ge=1, le=5, description="proficiency 1-5")]
Credits = Annotated[float, msgspec.Meta(ge=0, le=9999)]
Grade = Annotated[str, msgspec.Meta(min_length=1, max_length=12, pattern=r"^[^\x00]*$")]
CreditUnit = Literal["ects", "ceu", "hours"]
AchievementKind = Literal["degree", "certificate", "micro-credential"]
Status = Literal["enrolled", "completed", "withdrawn", "failed"]


class ProgramIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    title: Name
    description: LongText | None = None
    credits: Credits | None = None
    courses: Annotated[list[uuid.UUID], msgspec.Meta(max_length=500)] = []


class ProgramPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Fields left out stay as they are; null clears an optional one; ``courses``, when
    given, replaces the whole list."""

    code: Code | msgspec.UnsetType = msgspec.UNSET
    title: Name | msgspec.UnsetType = msgspec.UNSET
    description: LongText | msgspec.UnsetType | None = msgspec.UNSET
    credits: Credits | msgspec.UnsetType | None = msgspec.UNSET
    courses: Annotated[list[uuid.UUID], msgspec.Meta(max_length=500)] | msgspec.UnsetType = (
        msgspec.UNSET)


class ProgramOut(msgspec.Struct):
    id: uuid.UUID
    code: str
    title: str
    description: str | None
    credits: float | None
    courses: list[uuid.UUID]


class OutcomeIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    title: Name
    description: LongText | None = None
    framework_uri: Uri | None = None
    framework_name: Name | None = None


class OutcomeOut(msgspec.Struct):
    id: uuid.UUID
    code: str
    title: str
    description: str | None
    framework_uri: str | None
    framework_name: str | None


class Teaches(msgspec.Struct, forbid_unknown_fields=True):
    outcome_id: uuid.UUID
    level: Proficiency


class CourseIn(msgspec.Struct, forbid_unknown_fields=True):
    code: Code
    title: Name
    credits: Credits
    level: EqfLevel
    language: Language
    credit_unit: CreditUnit = "ects"
    description: LongText | None = None
    max_age_years: Annotated[int, msgspec.Meta(ge=1, le=80)] | None = None
    instructor_id: uuid.UUID | None = None
    outcomes: Annotated[list[Teaches], msgspec.Meta(max_length=200)] = []
    prerequisites: Annotated[list[uuid.UUID], msgspec.Meta(max_length=50)] = []
    published: bool = False


class OutcomePatch(msgspec.Struct, forbid_unknown_fields=True):
    """Fields left out stay as they are; null clears an optional one."""

    code: Code | msgspec.UnsetType = msgspec.UNSET
    title: Name | msgspec.UnsetType = msgspec.UNSET
    description: LongText | msgspec.UnsetType | None = msgspec.UNSET
    framework_uri: Uri | msgspec.UnsetType | None = msgspec.UNSET
    framework_name: Name | msgspec.UnsetType | None = msgspec.UNSET


class CoursePatch(msgspec.Struct, forbid_unknown_fields=True):
    """Fields left out stay as they are; null clears an optional one; ``outcomes`` and
    ``prerequisites``, when given, replace the whole mapping."""

    code: Code | msgspec.UnsetType = msgspec.UNSET
    title: Name | msgspec.UnsetType = msgspec.UNSET
    credits: Credits | msgspec.UnsetType = msgspec.UNSET
    credit_unit: CreditUnit | msgspec.UnsetType = msgspec.UNSET
    level: EqfLevel | msgspec.UnsetType = msgspec.UNSET
    language: Language | msgspec.UnsetType = msgspec.UNSET
    description: LongText | msgspec.UnsetType | None = msgspec.UNSET
    max_age_years: Annotated[int, msgspec.Meta(ge=1, le=80)] | msgspec.UnsetType | None = (
        msgspec.UNSET)
    instructor_id: uuid.UUID | msgspec.UnsetType | None = msgspec.UNSET
    outcomes: Annotated[list[Teaches], msgspec.Meta(max_length=200)] | msgspec.UnsetType = (
        msgspec.UNSET)
    prerequisites: Annotated[list[uuid.UUID], msgspec.Meta(max_length=50)] | (
        msgspec.UnsetType) = msgspec.UNSET


class TeachesOut(msgspec.Struct):
    outcome_id: uuid.UUID
    code: str
    title: str
    level: int


class CourseOut(msgspec.Struct):
    id: uuid.UUID
    code: str
    title: str
    description: str | None
    credits: float
    credit_unit: str
    level: int
    language: str
    max_age_years: int | None
    instructor_id: uuid.UUID | None
    published_at: datetime | None
    outcomes: list[TeachesOut]
    prerequisites: list[uuid.UUID]


class CoursePage(msgspec.Struct):
    items: list[CourseOut]
    next_cursor: str | None


class LearnerIn(msgspec.Struct, forbid_unknown_fields=True):
    contact_id: uuid.UUID
    student_number: Code
    may_contact: bool = False


class LearnerOut(msgspec.Struct):
    id: uuid.UUID
    contact_id: uuid.UUID
    student_number: str
    may_contact: bool
    name: str


class LearnerPage(msgspec.Struct):
    items: list[LearnerOut]
    next_cursor: str | None


class EnrolmentIn(msgspec.Struct, forbid_unknown_fields=True):
    course_id: uuid.UUID
    term: Term


class ResultIn(msgspec.Struct, forbid_unknown_fields=True):
    grade: Grade
    completed_on: date | None = None


class WithdrawIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: LongText | None = None


class EnrolmentOut(msgspec.Struct):
    id: uuid.UUID
    learner_id: uuid.UUID
    course_id: uuid.UUID
    course_code: str
    course_title: str
    term: str
    attempt: int
    status: str
    grade: str | None
    completed_on: date | None


class AchievementIn(msgspec.Struct, forbid_unknown_fields=True):
    kind: AchievementKind
    title: Name
    issued_on: date
    expires_on: date | None = None
    program_id: uuid.UUID | None = None


class AchievementOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    title: str
    issuer_name: str
    issued_on: date
    expires_on: date | None
    imported: bool
    decision: str | None


class HoldingOut(msgspec.Struct):
    outcome_id: uuid.UUID
    code: str
    title: str
    level: int
    source: str
    achieved_on: date
    expires_on: date | None


class RecordOut(msgspec.Struct):
    learner: LearnerOut
    enrolments: list[EnrolmentOut]
    holdings: list[HoldingOut]
    achievements: list[AchievementOut]
    credits: dict[str, float]


class OutcomeRef(msgspec.Struct):
    outcome_id: uuid.UUID
    code: str
    title: str
    level: int
    held_level: int | None


class Proposal(msgspec.Struct):
    course_id: uuid.UUID
    code: str
    title: str
    credits: float
    credit_unit: str
    adds: list[OutcomeRef]
    repeats: list[OutcomeRef]
    overlap: float
    missing_prerequisites: list[str]
    reason: str
    # The reason as a word for screens and scripts: completed, enrolled, all_held,
    # mostly_repeats (skipped); adds, no_outcomes (proposed).
    why: str = ""


class RecommendationsOut(msgspec.Struct):
    learner_id: uuid.UUID
    take: list[Proposal]
    skip: list[Proposal]
    credits_saved: float


class AudienceMember(msgspec.Struct):
    learner_id: uuid.UUID
    contact_id: uuid.UUID
    student_number: str
    name: str
    adds: list[str]


class AudienceOut(msgspec.Struct):
    course_id: uuid.UUID
    items: list[AudienceMember]


class ClrOut(msgspec.Struct):
    credential_id: uuid.UUID
    # The CLR as a VC-JWT, and its payload (the achievement credentials enveloped VC-JWTs).
    jwt: str
    credential: dict[str, Any]
    # The same CLR secured with a Data Integrity proof (eddsa-rdfc-2022), each achievement
    # credential embedded with its own proof.
    data_integrity: dict[str, Any]


class IssuedOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    name: str
    status_index: int
    created_at: datetime
    revoked_at: datetime | None
    revocation_reason: str | None
    suspended_at: datetime | None
    suspension_reason: str | None


class RevokeIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: LongText | None = None


class SuspendIn(msgspec.Struct, forbid_unknown_fields=True):
    reason: LongText | None = None


class ImportIn(msgspec.Struct, forbid_unknown_fields=True):
    credential: Annotated[str, msgspec.Meta(
        min_length=1, max_length=1_000_000, pattern=r"^[^\x00]*$",
        description="A CLR 2.0 ClrCredential or an Open Badges 3.0 credential: a VC-JWT, or "
                    "the JSON text of one secured with a Data Integrity proof "
                    "(eddsa-rdfc-2022)")]


class AlignmentOut(msgspec.Struct):
    target_url: str
    target_name: str
    target_code: str | None
    level: int
    outcome_id: uuid.UUID | None
    # How it matched ours: framework_uri, exact, replaced_by, related, part_of (None: no
    # match; the registrar maps it or leaves it).
    match: str | None


class ImportedOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    title: str
    issuer_name: str
    issued_on: date
    expires_on: date | None
    decision: str | None
    alignments: list[AlignmentOut]
    # The credits the credential says were earned; the unit they were counted in.
    credits: float | None = None
    credit_unit: str | None = None


class ImportOut(msgspec.Struct):
    items: list[ImportedOut]


class DecisionIn(msgspec.Struct, forbid_unknown_fields=True):
    decision: Literal["accept", "reject"]
    note: LongText | None = None
    # Target URL -> one of our outcomes, for alignments no framework URI matched.
    mapping: Annotated[dict[Annotated[str, msgspec.Meta(max_length=500)], uuid.UUID],
                       msgspec.Meta(max_length=200)] = {}
    # Count the credits the credential says were earned in this unit (towards licences).
    credit_unit: CreditUnit | None = None


Relation = Literal["exact", "related", "part_of", "replaced_by"]


class LinkIn(msgspec.Struct, forbid_unknown_fields=True):
    target_uri: Uri
    relation: Relation
    target_version: Annotated[str, msgspec.Meta(max_length=40, pattern=r"^[^\x00]*$")] | None = None


class LinkOut(msgspec.Struct):
    id: uuid.UUID
    outcome_id: uuid.UUID
    target_uri: str
    relation: str
    target_version: str | None


class LicenceIn(msgspec.Struct, forbid_unknown_fields=True):
    name: Name
    renewed_on: date
    expires_on: date
    required: Credits
    unit: CreditUnit = "hours"
    authority: Name | None = None
    number: Annotated[str, msgspec.Meta(max_length=60, pattern=r"^[^\x00]*$")] | None = None


class RenewIn(msgspec.Struct, forbid_unknown_fields=True):
    """The licence's next period. Renewal needs the required amount earned in the current
    period, unless the registrar waives it (``waive`` with a ``note``: recorded)."""

    renewed_on: date
    expires_on: date
    waive: bool = False
    note: LongText | None = None


class RenewalOut(msgspec.Struct):
    renewed_on: date
    expires_on: date
    required: float
    earned: float
    waived: bool
    note: str | None


class LicenceOut(msgspec.Struct):
    id: uuid.UUID
    name: str
    authority: str | None
    number: str | None
    renewed_on: date
    expires_on: date
    required: float
    unit: str
    earned: float
    remaining: float
    on_track: bool
    # Earlier periods, oldest first.
    renewals: list[RenewalOut] = []


class LearnerPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Fields left out stay as they are."""

    student_number: Code | msgspec.UnsetType = msgspec.UNSET
    may_contact: bool | msgspec.UnsetType = msgspec.UNSET
