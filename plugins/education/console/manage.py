"""The registrar's forms in the console: outcomes, courses (with the outcomes each teaches,
at a level) and programmes on the catalogue page; a course's returning-alumni audience;
registering a customer as a learner (from the customer panel); and on the learner page
whether they agreed to hear about new courses, enrolling, recording a result, awarding an
achievement and adding a licence. Each goes through the service behind the API's endpoint,
checked against the API's input struct; a refused form comes back with what was typed and
the problem beside its field."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Membership, Principal, RapportError, Screen, TenantHooks, User
from rapport_plugins.education import catalogue, learners, links
from rapport_plugins.education.console.forms import errors_of, go, parse, posted
from rapport_plugins.education.console.screens import learner_screen
from rapport_plugins.education.record import offer_audience
from rapport_plugins.education.roles import RECORDS, require_registrar
from rapport_plugins.education.schemas import (
    AchievementIn,
    CourseIn,
    EnrolmentIn,
    LearnerIn,
    LearnerPatch,
    LicenceIn,
    OutcomeIn,
    ProgramIn,
    ResultIn,
)

HOME = "/apps/education/"
REFUSED = (403, 404, 409, 422)
DONE = ("outcome", "course", "program")


async def instructors(db: AsyncSession, tenant_id: uuid.UUID) -> list[tuple[str, str]]:
    """The institution's members a course may name as its instructor (value, words)."""
    rows = await db.execute(select(User.id, User.full_name, User.email).join(
        Membership, Membership.user_id == User.id).where(Membership.tenant_id == tenant_id)
        .order_by(User.full_name, User.email))
    return [(str(i), f"{name} <{email}>" if name else email) for i, name, email in rows]


async def catalogue_screen(request: Request, db: AsyncSession, principal: Principal, *,
                           status: int = 200, form: str | None = None,
                           values: dict[str, Any] | None = None,
                           errors: dict[str, str] | None = None) -> Screen:
    page = await catalogue.list_courses(db, principal, None, 200)
    courses = await catalogue.courses_out(db, principal.tenant_id, page.items)
    programs = (await catalogue.list_programs(db, principal, None, 200)).items
    outcomes = (await catalogue.list_outcomes(db, principal, None, 200)).items
    return Screen("education/catalogue.html", "Catalogue", {
        "courses": courses, "programs": programs, "outcomes": outcomes,
        "registrar": principal.role in RECORDS, "form": form, "values": values or {},
        "errors": errors or {}, "levels": range(1, 6),
        "instructors": await instructors(db, principal.tenant_id),
        "done": next((k for k in DONE if request.query_params.get("added") == k), None),
    }, status=status)


def _refused(exc: RapportError) -> None:
    if exc.status not in REFUSED:
        raise exc


@post("/outcomes", status_code=200)
async def add_outcome(request: Request, principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> Screen | Response[Any]:
    """``POST /outcomes``: a learning outcome of the institution's framework."""
    form = await posted(request)
    try:
        await catalogue.create_outcome(db, principal, parse(form, OutcomeIn))
    except RapportError as exc:
        _refused(exc)
        return await catalogue_screen(request, db, principal, status=exc.status,
                                      form="outcome", values=form, errors=errors_of(exc))
    return go(request, HOME + "?added=outcome#outcomes")


def teaches(form: dict[str, Any]) -> list[dict[str, Any]]:
    """The mapping: each ticked outcome at the level chosen beside it."""
    return [{"outcome_id": o, "level": form.get(f"level-{o}") or 1}
            for o in form.get("outcomes", [])]


@post("/courses", status_code=200)
async def add_course(request: Request, principal: NamedDependency[Principal],
                     db: NamedDependency[AsyncSession],
                     hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    """``POST /courses``: a course with the outcomes it teaches; published at once if ticked
    (the returning-alumni audience is then worth a look)."""
    form = await posted(request, lists=("outcomes", "prerequisites"))
    body = {k: v for k, v in form.items() if not k.startswith("level-")}
    body["outcomes"] = teaches(form)
    body["published"] = form.get("published") == "1"
    try:
        await catalogue.create_course(db, principal, hooks, parse(body, CourseIn))
    except RapportError as exc:
        _refused(exc)
        return await catalogue_screen(request, db, principal, status=exc.status,
                                      form="course", values=form, errors=errors_of(exc))
    return go(request, HOME + "?added=course#courses")


@post("/programs", status_code=200)
async def add_program(request: Request, principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> Screen | Response[Any]:
    """``POST /programs``: a programme and the courses it is made of."""
    form = await posted(request, lists=("courses",))
    try:
        await catalogue.create_program(db, principal, parse(form, ProgramIn))
    except RapportError as exc:
        _refused(exc)
        return await catalogue_screen(request, db, principal, status=exc.status,
                                      form="program", values=form, errors=errors_of(exc))
    return go(request, HOME + "?added=program#programs")


@get("/courses/{course_id:uuid}/audience")
async def audience(course_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession]) -> Screen:
    """``GET /courses/{id}/audience``: alumni who consented to hear from us and lack an
    outcome the course teaches (registrars, as in the API)."""
    require_registrar(principal)
    course = await catalogue.find_course(db, principal, course_id)
    out = await catalogue.course_out(db, course)
    return Screen("education/audience.html", "Returning alumni", {
        "course": out, "members": await offer_audience(db, principal, course.id)})


@get("/learners/new")
async def new_learner(request: Request, principal: NamedDependency[Principal]) -> Screen:
    """The form to register a customer as a learner (linked from the customer panel)."""
    require_registrar(principal)
    values = {"contact_id": request.query_params.get("contact_id", "")}
    return Screen("education/register.html", "New learner", {"values": values, "errors": {}})


@post("/learners", status_code=200)
async def register(request: Request, principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession],
                   hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    """``POST /learners``: the customer becomes a learner (a student number; whether they
    agreed to hear about new courses)."""
    form = await posted(request)
    body = {**form, "may_contact": form.get("may_contact") == "1"}
    try:
        learner, _ = await learners.register(db, principal, hooks, parse(body, LearnerIn))
    except RapportError as exc:
        _refused(exc)
        return Screen("education/register.html", "New learner",
                      {"values": form, "errors": errors_of(exc)}, status=exc.status)
    return go(request, f"/apps/education/learners/{learner.id}")


async def _learner(request: Request, db: AsyncSession, principal: Principal,
                   learner_id: uuid.UUID, status: int, form: str, values: dict[str, Any],
                   exc: RapportError) -> Screen:
    return await learner_screen(request, db, principal, learner_id, status=status,
                                form=form, values=values, errors=errors_of(exc))


@post("/learners/{learner_id:uuid}/enrolments", status_code=200)
async def enrol(request: Request, learner_id: FromPath[uuid.UUID],
                principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    """``POST /learners/{id}/enrolments``."""
    form = await posted(request)
    try:
        await learners.enrol(db, principal, hooks, learner_id, parse(form, EnrolmentIn))
    except RapportError as exc:
        _refused(exc)
        return await _learner(request, db, principal, learner_id, exc.status, "enrol",
                              form, exc)
    return go(request, f"/apps/education/learners/{learner_id}#courses-taken")


@post("/learners/{learner_id:uuid}/enrolments/{enrolment_id:uuid}/result", status_code=200)
async def result(request: Request, learner_id: FromPath[uuid.UUID],
                 enrolment_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                 db: NamedDependency[AsyncSession],
                 hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    """``POST …/enrolments/{id}/result``: a passing grade completes the course and awards
    its outcomes (registrars; instructors in their own courses)."""
    form = await posted(request)
    try:
        await learners.record_result(db, principal, hooks, learner_id, enrolment_id,
                                     parse(form, ResultIn))
    except RapportError as exc:
        _refused(exc)
        return await _learner(request, db, principal, learner_id, exc.status,
                              f"result-{enrolment_id}", form, exc)
    return go(request, f"/apps/education/learners/{learner_id}#courses-taken")


@post("/learners/{learner_id:uuid}/enrolments/{enrolment_id:uuid}/withdraw", status_code=200)
async def withdraw(request: Request, learner_id: FromPath[uuid.UUID],
                   enrolment_id: FromPath[uuid.UUID], principal: NamedDependency[Principal],
                   db: NamedDependency[AsyncSession],
                   hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    """``POST …/enrolments/{id}/withdraw``: an open enrolment ends as withdrawn."""
    try:
        await learners.withdraw(db, principal, hooks, learner_id, enrolment_id)
    except RapportError as exc:
        _refused(exc)
        return await _learner(request, db, principal, learner_id, exc.status,
                              f"result-{enrolment_id}", {}, exc)
    return go(request, f"/apps/education/learners/{learner_id}#courses-taken")


@post("/learners/{learner_id:uuid}/achievements", status_code=200)
async def achievement(request: Request, learner_id: FromPath[uuid.UUID],
                      principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                      hooks: NamedDependency[TenantHooks]) -> Screen | Response[Any]:
    """``POST /learners/{id}/achievements``: a degree, certificate or micro-credential."""
    form = await posted(request)
    try:
        await learners.award(db, principal, hooks, learner_id, parse(form, AchievementIn))
    except RapportError as exc:
        _refused(exc)
        return await _learner(request, db, principal, learner_id, exc.status, "achievement",
                              form, exc)
    return go(request, f"/apps/education/learners/{learner_id}#achievements")


@post("/learners/{learner_id:uuid}/licences", status_code=200)
async def licence(request: Request, learner_id: FromPath[uuid.UUID],
                  principal: NamedDependency[Principal],
                  db: NamedDependency[AsyncSession]) -> Screen | Response[Any]:
    """``POST /learners/{id}/licences``: a professional licence that needs renewal hours."""
    form = await posted(request)
    try:
        await links.add_licence(db, principal, learner_id, parse(form, LicenceIn))
    except RapportError as exc:
        _refused(exc)
        return await _learner(request, db, principal, learner_id, exc.status, "licence",
                              form, exc)
    return go(request, f"/apps/education/learners/{learner_id}#licences")


@post("/learners/{learner_id:uuid}/consent", status_code=200)
async def consent(request: Request, learner_id: FromPath[uuid.UUID],
                  principal: NamedDependency[Principal],
                  db: NamedDependency[AsyncSession]) -> Screen | Response[Any]:
    """``PATCH /learners/{id}`` with ``may_contact``: whether the learner agreed to hear
    about new courses (what the returning-alumni audience checks; registrars)."""
    form = await posted(request)
    await learners.change(db, principal, learner_id,
                          LearnerPatch(may_contact=form.get("may_contact") == "1"))
    return go(request, f"/apps/education/learners/{learner_id}?consent=saved")


@get("/")
async def catalogue_page(request: Request, principal: NamedDependency[Principal],
                         db: NamedDependency[AsyncSession]) -> Screen:
    return await catalogue_screen(request, db, principal)


PAGES = [catalogue_page, add_outcome, add_course, add_program, audience, new_learner,
         register, consent, enrol, result, withdraw, achievement, licence]
