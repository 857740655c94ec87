"""The catalogue: outcomes, courses (with the outcomes they teach and their prerequisites)
and programmes. Every id a client names is looked up in the caller's tenant only, so a
course cannot be mapped to another institution's outcome (422 naming the field)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal

import msgspec
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import (
    Page,
    Principal,
    TenantHooks,
    audit,
    by_id,
    cut,
    emit,
    invalid,
    newest_first,
    not_found,
)
from rapport_plugins.education.models import (
    Course,
    CourseOutcome,
    Outcome,
    Prerequisite,
    Program,
    ProgramCourse,
)
from rapport_plugins.education.roles import require_registrar
from rapport_plugins.education.schemas import (
    CourseIn,
    CourseOut,
    CoursePatch,
    OutcomeIn,
    OutcomeOut,
    OutcomePatch,
    ProgramIn,
    ProgramOut,
    ProgramPatch,
    TeachesOut,
)

COURSE_PUBLISHED = "education.course_published"


def _credits(value: float) -> Decimal:
    # Stored with one decimal (7.5 ECTS, 0.1 CEU); the schema bounds the range.
    return Decimal(str(round(value, 1)))


async def _known(db: AsyncSession, principal: Principal, model: type, ids: Sequence[uuid.UUID],
                 field: str) -> None:
    """422 naming ``field[i]`` for the first id that is not one of this tenant's rows."""
    if not ids:
        return
    found = set((await db.execute(select(model.id).where(  # type: ignore[attr-defined]
        model.tenant_id == principal.tenant_id,  # type: ignore[attr-defined]
        model.id.in_(ids)))).scalars())  # type: ignore[attr-defined]
    for i, wanted in enumerate(ids):
        if wanted not in found:
            raise invalid(f"{field}[{i}]", f"unknown id {wanted}")


def _duplicates(ids: Sequence[uuid.UUID], field: str) -> None:
    seen: set[uuid.UUID] = set()
    for i, wanted in enumerate(ids):
        if wanted in seen:
            raise invalid(f"{field}[{i}]", "listed twice")
        seen.add(wanted)


# --- outcomes ------------------------------------------------------------------------------


def outcome_out(o: Outcome) -> OutcomeOut:
    return OutcomeOut(o.id, o.code, o.title, o.description, o.framework_uri, o.framework_name)


async def create_outcome(db: AsyncSession, principal: Principal, data: OutcomeIn) -> Outcome:
    require_registrar(principal)
    outcome = Outcome(tenant_id=principal.tenant_id, code=data.code, title=data.title,
                      description=data.description, framework_uri=data.framework_uri,
                      framework_name=data.framework_name)
    db.add(outcome)
    await db.flush()
    await audit.record(db, principal, audit.CREATE, "education.outcome", outcome.id,
                       detail={"code": data.code})
    return outcome


def _apply(row: object, data: msgspec.Struct, fields: Sequence[str]) -> dict[str, object]:
    """Set the fields the client sent; the old values of those that changed."""
    before: dict[str, object] = {}
    for name in fields:
        value = getattr(data, name)
        if isinstance(value, msgspec.UnsetType):
            continue
        if name == "credits":
            value = _credits(value)
        if getattr(row, name) != value:
            before[name] = getattr(row, name)
            setattr(row, name, value)
    return before


async def change_outcome(db: AsyncSession, principal: Principal, outcome_id: uuid.UUID,
                         data: OutcomePatch) -> Outcome:
    """Rename, re-describe or re-align an outcome (code unique in the institution: 409)."""
    require_registrar(principal)
    outcome = await find_outcome(db, principal, outcome_id)
    before = _apply(outcome, data, ("code", "title", "description", "framework_uri",
                                    "framework_name"))
    await db.flush()
    if before:
        await audit.record(db, principal, audit.UPDATE, "education.outcome", outcome.id,
                           changes=audit.diff(before, {k: getattr(outcome, k)
                                                       for k in before}))
    return outcome


async def find_outcome(db: AsyncSession, principal: Principal, outcome_id: uuid.UUID) -> Outcome:
    found = (await db.execute(select(Outcome).where(
        Outcome.tenant_id == principal.tenant_id, Outcome.id == outcome_id))).scalar_one_or_none()
    if found is None:
        raise not_found("Outcome")
    return found


async def list_outcomes(db: AsyncSession, principal: Principal, cursor: str | None,
                        limit: int) -> Page[Outcome]:
    query = newest_first(select(Outcome).where(Outcome.tenant_id == principal.tenant_id),
                         Outcome.id, cursor, limit)
    return cut(list((await db.execute(query)).scalars()), limit, by_id)


# --- courses -------------------------------------------------------------------------------


async def course_out(db: AsyncSession, course: Course) -> CourseOut:
    return (await courses_out(db, course.tenant_id, [course]))[0]


async def courses_out(db: AsyncSession, tenant_id: uuid.UUID,
                      courses: Sequence[Course]) -> list[CourseOut]:
    ids = [c.id for c in courses]
    teaches: dict[uuid.UUID, list[TeachesOut]] = {i: [] for i in ids}
    requires: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    if ids:
        for co, o in (await db.execute(
                select(CourseOutcome, Outcome)
                .join(Outcome, (Outcome.tenant_id == CourseOutcome.tenant_id)
                      & (Outcome.id == CourseOutcome.outcome_id))
                .where(CourseOutcome.tenant_id == tenant_id, CourseOutcome.course_id.in_(ids))
                .order_by(Outcome.code))).all():
            teaches[co.course_id].append(TeachesOut(o.id, o.code, o.title, co.level))
        for p in (await db.execute(select(Prerequisite).where(
                Prerequisite.tenant_id == tenant_id, Prerequisite.course_id.in_(ids)))).scalars():
            requires[p.course_id].append(p.requires_id)
    return [CourseOut(c.id, c.code, c.title, c.description, float(c.credits), c.credit_unit,
                      c.level, c.language, c.max_age_years, c.instructor_id, c.published_at,
                      teaches[c.id], requires[c.id]) for c in courses]


async def create_course(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                        data: CourseIn) -> Course:
    require_registrar(principal)
    outcome_ids = [t.outcome_id for t in data.outcomes]
    _duplicates(outcome_ids, "outcomes")
    await _known(db, principal, Outcome, outcome_ids, "outcomes")
    _duplicates(data.prerequisites, "prerequisites")
    await _known(db, principal, Course, data.prerequisites, "prerequisites")
    course = Course(tenant_id=principal.tenant_id, code=data.code, title=data.title,
                    description=data.description, credits=_credits(data.credits),
                    credit_unit=data.credit_unit, level=data.level, language=data.language,
                    max_age_years=data.max_age_years, instructor_id=data.instructor_id)
    db.add(course)
    await db.flush()
    db.add_all([CourseOutcome(tenant_id=principal.tenant_id, course_id=course.id,
                              outcome_id=t.outcome_id, level=t.level) for t in data.outcomes])
    db.add_all([Prerequisite(tenant_id=principal.tenant_id, course_id=course.id,
                             requires_id=r) for r in data.prerequisites])
    await db.flush()
    await audit.record(db, principal, audit.CREATE, "education.course", course.id,
                       detail={"code": data.code})
    if data.published:
        await publish(db, principal, hooks, course)
    return course


async def change_course(db: AsyncSession, principal: Principal, course_id: uuid.UUID,
                        data: CoursePatch) -> Course:
    """Change a course; ``outcomes`` / ``prerequisites`` replace the mapping (ids looked up
    in the caller's institution, 422 naming the one at fault; a course cannot require
    itself). Holdings already awarded stay as they were: they record what was taught."""
    require_registrar(principal)
    course = await find_course(db, principal, course_id)
    if not isinstance(data.outcomes, msgspec.UnsetType):
        outcome_ids = [t.outcome_id for t in data.outcomes]
        _duplicates(outcome_ids, "outcomes")
        await _known(db, principal, Outcome, outcome_ids, "outcomes")
    if not isinstance(data.prerequisites, msgspec.UnsetType):
        _duplicates(data.prerequisites, "prerequisites")
        for i, wanted in enumerate(data.prerequisites):
            if wanted == course.id:
                raise invalid(f"prerequisites[{i}]", "a course cannot require itself")
        await _known(db, principal, Course, data.prerequisites, "prerequisites")
    before = _apply(course, data, ("code", "title", "credits", "credit_unit", "level",
                                   "language", "description", "max_age_years",
                                   "instructor_id"))
    changes = {k: getattr(course, k) for k in before}
    if not isinstance(data.outcomes, msgspec.UnsetType):
        await db.execute(delete(CourseOutcome).where(
            CourseOutcome.tenant_id == principal.tenant_id,
            CourseOutcome.course_id == course.id))
        db.add_all([CourseOutcome(tenant_id=principal.tenant_id, course_id=course.id,
                                  outcome_id=t.outcome_id, level=t.level)
                    for t in data.outcomes])
        changes["outcomes"] = {str(t.outcome_id): t.level for t in data.outcomes}
    if not isinstance(data.prerequisites, msgspec.UnsetType):
        await db.execute(delete(Prerequisite).where(
            Prerequisite.tenant_id == principal.tenant_id,
            Prerequisite.course_id == course.id))
        db.add_all([Prerequisite(tenant_id=principal.tenant_id, course_id=course.id,
                                 requires_id=r) for r in data.prerequisites])
        changes["prerequisites"] = [str(r) for r in data.prerequisites]
    await db.flush()
    if changes:
        await audit.record(db, principal, audit.UPDATE, "education.course", course.id,
                           changes=audit.diff({k: before.get(k) for k in changes}, changes))
    return course


async def publish(db: AsyncSession, principal: Principal, hooks: TenantHooks,
                  course: Course) -> Course:
    require_registrar(principal)
    if course.published_at is None:
        course.published_at = func.now()
        await db.flush()
        await db.refresh(course, ["published_at"])
        await emit(db, principal, hooks, COURSE_PUBLISHED, "education.course", course.id,
                   {"code": course.code, "title": course.title})
    return course


async def find_course(db: AsyncSession, principal: Principal, course_id: uuid.UUID) -> Course:
    found = (await db.execute(select(Course).where(
        Course.tenant_id == principal.tenant_id, Course.id == course_id))).scalar_one_or_none()
    if found is None:
        raise not_found("Course")
    return found


async def list_courses(db: AsyncSession, principal: Principal, cursor: str | None,
                       limit: int) -> Page[Course]:
    query = newest_first(select(Course).where(Course.tenant_id == principal.tenant_id),
                         Course.id, cursor, limit)
    return cut(list((await db.execute(query)).scalars()), limit, by_id)


# --- programmes ----------------------------------------------------------------------------


async def program_out(db: AsyncSession, program: Program) -> ProgramOut:
    courses = list((await db.execute(select(ProgramCourse.course_id).where(
        ProgramCourse.tenant_id == program.tenant_id, ProgramCourse.program_id == program.id)
        .order_by(ProgramCourse.created_at, ProgramCourse.id))).scalars())
    return ProgramOut(program.id, program.code, program.title, program.description,
                      None if program.credits is None else float(program.credits), courses)


async def create_program(db: AsyncSession, principal: Principal, data: ProgramIn) -> Program:
    require_registrar(principal)
    _duplicates(data.courses, "courses")
    await _known(db, principal, Course, data.courses, "courses")
    program = Program(tenant_id=principal.tenant_id, code=data.code, title=data.title,
                      description=data.description,
                      credits=None if data.credits is None else _credits(data.credits))
    db.add(program)
    await db.flush()
    db.add_all([ProgramCourse(tenant_id=principal.tenant_id, program_id=program.id,
                              course_id=c) for c in data.courses])
    await db.flush()
    await audit.record(db, principal, audit.CREATE, "education.program", program.id,
                       detail={"code": data.code})
    return program


async def change_program(db: AsyncSession, principal: Principal, program_id: uuid.UUID,
                         data: ProgramPatch) -> Program:
    """Change a programme; ``courses`` replaces its list (ids looked up in the caller's
    institution, 422 naming the one at fault); code unique in the institution: 409."""
    require_registrar(principal)
    program = await find_program(db, principal, program_id)
    if not isinstance(data.courses, msgspec.UnsetType):
        _duplicates(data.courses, "courses")
        await _known(db, principal, Course, data.courses, "courses")
    if data.credits is None and program.credits is not None:
        before: dict[str, object] = {"credits": program.credits}
        program.credits = None
        data = msgspec.structs.replace(data, credits=msgspec.UNSET)
    else:
        before = {}
    before.update(_apply(program, data, ("code", "title", "description", "credits")))
    changes: dict[str, object] = {k: getattr(program, k) for k in before}
    if not isinstance(data.courses, msgspec.UnsetType):
        await db.execute(delete(ProgramCourse).where(
            ProgramCourse.tenant_id == principal.tenant_id,
            ProgramCourse.program_id == program.id))
        await db.flush()
        db.add_all([ProgramCourse(tenant_id=principal.tenant_id, program_id=program.id,
                                  course_id=c) for c in data.courses])
        changes["courses"] = [str(c) for c in data.courses]
    await db.flush()
    if changes:
        await audit.record(db, principal, audit.UPDATE, "education.program", program.id,
                           changes=audit.diff({k: before.get(k) for k in changes}, changes))
    return program


async def find_program(db: AsyncSession, principal: Principal,
                       program_id: uuid.UUID) -> Program:
    found = (await db.execute(select(Program).where(
        Program.tenant_id == principal.tenant_id, Program.id == program_id))).scalar_one_or_none()
    if found is None:
        raise not_found("Program")
    return found


async def list_programs(db: AsyncSession, principal: Principal, cursor: str | None,
                        limit: int) -> Page[Program]:
    query = newest_first(select(Program).where(Program.tenant_id == principal.tenant_id),
                         Program.id, cursor, limit)
    return cut(list((await db.execute(query)).scalars()), limit, by_id)
