"""Learners, enrolments, results and achievements: the facts of a lifelong record.

A passing result completes the enrolment and awards the course's outcomes at the levels
the course teaches them (the holdings "never taught twice" reads); a failing one marks the
attempt failed, and the learner may enrol again (the next attempt).
"""

from __future__ import annotations

import uuid
from datetime import date

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Contact,
    Page,
    Principal,
    TenantHooks,
    audit,
    conflict,
    cut,
    emit,
    forbidden,
    get_contact,
    invalid,
    load_settings,
    newest_first,
    not_found,
)
from rapport_plugins.education.models import (
    Achievement,
    Course,
    CourseOutcome,
    Enrolment,
    Holding,
    Learner,
    Program,
)
from rapport_plugins.education.roles import INSTRUCTOR, require_reader, require_registrar
from rapport_plugins.education.schemas import (
    AchievementIn,
    AchievementOut,
    EnrolmentIn,
    EnrolmentOut,
    LearnerIn,
    LearnerOut,
    LearnerPatch,
    ResultIn,
)
from rapport_plugins.education.settings import EducationSettings

LEARNER_REGISTERED = "education.learner_registered"
ENROLLED = "education.enrolled"
RESULT_RECORDED = "education.result_recorded"
COURSE_COMPLETED = "education.course_completed"
WITHDRAWN = "education.withdrawn"
ACHIEVEMENT_AWARDED = "education.achievement_awarded"


def learner_out(learner: Learner, contact: Contact) -> LearnerOut:
    return LearnerOut(learner.id, learner.contact_id, learner.student_number,
                      learner.may_contact, contact.display_name)


def enrolment_out(e: Enrolment, course: Course) -> EnrolmentOut:
    return EnrolmentOut(e.id, e.learner_id, e.course_id, course.code, course.title, e.term,
                        e.attempt, e.status, e.grade, e.completed_on)


def achievement_out(a: Achievement) -> AchievementOut:
    return AchievementOut(a.id, a.kind, a.title, a.issuer_name, a.issued_on, a.expires_on,
                          a.imported, a.decision)


async def register(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                   data: LearnerIn) -> tuple[Learner, Contact]:
    require_registrar(principal)
    contact = await get_contact(db, principal, data.contact_id)
    taken = (await db.execute(select(Learner.id).where(
        Learner.tenant_id == principal.tenant_id, Learner.contact_id == contact.id))).first()
    if taken is not None:
        raise conflict("This contact is already a learner", learner_id=str(taken[0]))
    learner = Learner(tenant_id=principal.tenant_id, contact_id=contact.id,
                      student_number=data.student_number, may_contact=data.may_contact)
    db.add(learner)
    await db.flush()
    await audit.record(db, principal, audit.CREATE, "education.learner", learner.id,
                       detail={"student_number": data.student_number})
    await emit(db, principal, hooks, LEARNER_REGISTERED, "education.learner", learner.id,
               {"contact_id": str(contact.id), "student_number": data.student_number})
    return learner, contact


async def find_learner(db: AsyncSession, principal: Principal,
                       learner_id: uuid.UUID) -> tuple[Learner, Contact]:
    require_reader(principal)
    row = (await db.execute(
        select(Learner, Contact)
        .join(Contact, (Contact.tenant_id == Learner.tenant_id)
              & (Contact.id == Learner.contact_id))
        .where(Learner.tenant_id == principal.tenant_id, Learner.id == learner_id,
               Contact.deleted_at.is_(None)))).first()
    if row is None:
        raise not_found("Learner")
    return row[0], row[1]


async def change(db: AsyncSession, principal: Principal, learner_id: uuid.UUID,
                 data: LearnerPatch) -> tuple[Learner, Contact]:
    """A new student number, or the learner's consent to hear about new courses."""
    require_registrar(principal)
    learner, contact = await find_learner(db, principal, learner_id)
    before = {"student_number": learner.student_number, "may_contact": learner.may_contact}
    if not isinstance(data.student_number, msgspec.UnsetType):
        learner.student_number = data.student_number
    if not isinstance(data.may_contact, msgspec.UnsetType):
        learner.may_contact = data.may_contact
    await db.flush()
    after = {"student_number": learner.student_number, "may_contact": learner.may_contact}
    if after != before:
        await audit.record(db, principal, audit.UPDATE, "education.learner", learner.id,
                           changes=audit.diff(before, after))
    return learner, contact


async def learner_of_contact(db: AsyncSession, tenant_id: uuid.UUID,
                             contact_id: uuid.UUID) -> Learner | None:
    return (await db.execute(select(Learner).where(
        Learner.tenant_id == tenant_id, Learner.contact_id == contact_id))).scalar_one_or_none()


async def list_learners(db: AsyncSession, principal: Principal, cursor: str | None, limit: int,
                        student_number: str | None = None) -> Page[LearnerOut]:
    require_reader(principal)
    query = (select(Learner, Contact)
             .join(Contact, (Contact.tenant_id == Learner.tenant_id)
                   & (Contact.id == Learner.contact_id))
             .where(Learner.tenant_id == principal.tenant_id, Contact.deleted_at.is_(None)))
    if student_number is not None:
        query = query.where(Learner.student_number == student_number)
    rows = (await db.execute(newest_first(query, Learner.id, cursor, limit))).all()
    page = cut(rows, limit, lambda r: (r[0].id,))
    return page.map(lambda r: learner_out(r[0], r[1]))


async def enrol(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                learner_id: uuid.UUID, data: EnrolmentIn) -> tuple[Enrolment, Course]:
    require_registrar(principal)
    learner, _ = await find_learner(db, principal, learner_id)
    course = (await db.execute(select(Course).where(
        Course.tenant_id == principal.tenant_id, Course.id == data.course_id))
    ).scalar_one_or_none()
    if course is None:
        raise invalid("course_id", f"unknown course {data.course_id}")
    earlier = list((await db.execute(select(Enrolment).where(
        Enrolment.tenant_id == principal.tenant_id, Enrolment.learner_id == learner.id,
        Enrolment.course_id == course.id).with_for_update())).scalars())
    if any(e.status == "enrolled" for e in earlier):
        raise conflict("The learner is already enrolled in this course")
    if any(e.status == "completed" for e in earlier):
        raise conflict("The learner has already completed this course")
    enrolment = Enrolment(tenant_id=principal.tenant_id, learner_id=learner.id,
                          course_id=course.id, term=data.term, attempt=len(earlier) + 1,
                          status="enrolled", recorded_by=principal.user_id)
    db.add(enrolment)
    await db.flush()
    await emit(db, principal, hooks, ENROLLED, "education.learner", learner.id,
               {"enrolment_id": str(enrolment.id), "course_id": str(course.id),
                "term": data.term, "attempt": enrolment.attempt})
    return enrolment, course


async def find_enrolment(db: AsyncSession, principal: Principal, learner_id: uuid.UUID,
                         enrolment_id: uuid.UUID) -> tuple[Enrolment, Course]:
    row = (await db.execute(
        select(Enrolment, Course)
        .join(Course, (Course.tenant_id == Enrolment.tenant_id)
              & (Course.id == Enrolment.course_id))
        .where(Enrolment.tenant_id == principal.tenant_id, Enrolment.id == enrolment_id,
               Enrolment.learner_id == learner_id).with_for_update(of=Enrolment))).first()
    if row is None:
        raise not_found("Enrolment")
    return row[0], row[1]


async def record_result(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                        learner_id: uuid.UUID, enrolment_id: uuid.UUID,
                        data: ResultIn) -> tuple[Enrolment, Course]:
    await find_learner(db, principal, learner_id)
    enrolment, course = await find_enrolment(db, principal, learner_id, enrolment_id)
    if principal.role == INSTRUCTOR:
        if course.instructor_id != principal.user_id:
            raise forbidden("Instructors record results only in the courses they teach")
    else:
        require_registrar(principal)
    settings = await load_settings(db, principal.tenant_id, "education", EducationSettings)
    if data.grade not in settings.grades:
        raise invalid("grade", f"not on this institution's scale ({', '.join(settings.grades)})")
    if enrolment.status != "enrolled":
        raise conflict(f"The enrolment is {enrolment.status}; results go to open enrolments")
    passed = data.grade in settings.passing
    enrolment.grade = data.grade
    enrolment.status = "completed" if passed else "failed"
    enrolment.completed_on = data.completed_on or date.today()
    enrolment.recorded_by = principal.user_id
    await db.flush()
    payload = {"enrolment_id": str(enrolment.id), "course_id": str(course.id),
               "grade": data.grade, "status": enrolment.status}
    await audit.record(db, principal, audit.UPDATE, "education.learner", learner_id,
                       detail=payload)
    await emit(db, principal, hooks, RESULT_RECORDED, "education.learner", learner_id, payload)
    if passed:
        awarded = await award_course_outcomes(db, principal.tenant_id, learner_id, enrolment)
        await emit(db, principal, hooks, COURSE_COMPLETED, "education.learner", learner_id,
                   {**payload, "outcomes": [str(o) for o in awarded]})
    return enrolment, course


async def award_course_outcomes(db: AsyncSession, tenant_id: uuid.UUID, learner_id: uuid.UUID,
                                enrolment: Enrolment) -> list[uuid.UUID]:
    taught = (await db.execute(select(CourseOutcome.outcome_id, CourseOutcome.level).where(
        CourseOutcome.tenant_id == tenant_id,
        CourseOutcome.course_id == enrolment.course_id))).all()
    db.add_all([Holding(tenant_id=tenant_id, learner_id=learner_id, outcome_id=o, level=lv,
                        source="course", enrolment_id=enrolment.id,
                        achieved_on=enrolment.completed_on or date.today()) for o, lv in taught])
    await db.flush()
    return [o for o, _ in taught]


async def withdraw(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                   learner_id: uuid.UUID, enrolment_id: uuid.UUID) -> tuple[Enrolment, Course]:
    require_registrar(principal)
    await find_learner(db, principal, learner_id)
    enrolment, course = await find_enrolment(db, principal, learner_id, enrolment_id)
    if enrolment.status != "enrolled":
        raise conflict(f"The enrolment is {enrolment.status}; only open ones are withdrawn")
    enrolment.status = "withdrawn"
    await db.flush()
    await emit(db, principal, hooks, WITHDRAWN, "education.learner", learner_id,
               {"enrolment_id": str(enrolment.id), "course_id": str(course.id)})
    return enrolment, course


async def award(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                learner_id: uuid.UUID, data: AchievementIn) -> Achievement:
    require_registrar(principal)
    await find_learner(db, principal, learner_id)
    if data.expires_on is not None and data.expires_on <= data.issued_on:
        raise invalid("expires_on", "must be after issued_on")
    if data.program_id is not None:
        known = (await db.execute(select(Program.id).where(
            Program.tenant_id == principal.tenant_id, Program.id == data.program_id))).first()
        if known is None:
            raise invalid("program_id", f"unknown program {data.program_id}")
    achievement = Achievement(
        tenant_id=principal.tenant_id, learner_id=learner_id, kind=data.kind, title=data.title,
        issuer_name=principal.tenant_name, issued_on=data.issued_on, expires_on=data.expires_on,
        program_id=data.program_id, imported=False, alignments=[])
    db.add(achievement)
    await db.flush()
    await emit(db, principal, hooks, ACHIEVEMENT_AWARDED, "education.learner", learner_id,
               {"achievement_id": str(achievement.id), "kind": data.kind, "title": data.title})
    return achievement


async def enrolments_of(db: AsyncSession, tenant_id: uuid.UUID,
                        learner_id: uuid.UUID) -> list[EnrolmentOut]:
    rows = (await db.execute(
        select(Enrolment, Course)
        .join(Course, (Course.tenant_id == Enrolment.tenant_id)
              & (Course.id == Enrolment.course_id))
        .where(Enrolment.tenant_id == tenant_id, Enrolment.learner_id == learner_id)
        .order_by(Enrolment.created_at.desc(), Enrolment.id.desc()))).all()
    return [enrolment_out(e, c) for e, c in rows]


async def achievements_of(db: AsyncSession, tenant_id: uuid.UUID,
                          learner_id: uuid.UUID) -> list[Achievement]:
    return list((await db.execute(select(Achievement).where(
        Achievement.tenant_id == tenant_id, Achievement.learner_id == learner_id)
        .order_by(Achievement.issued_on.desc(), Achievement.id.desc()))).scalars())

