"""A course's page in the console: what it teaches and, for registrars, the form to change
it — the whole form as a ``CoursePatch`` (the outcome mapping replaced by what is ticked,
each at its level) through ``catalogue.change_course`` — and publishing a draft
(``catalogue.publish``), the services of ``PATCH /courses/{id}`` and
``POST /courses/{id}/publish``."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, RapportError, Screen, TenantHooks
from rapport_plugins.education import catalogue
from rapport_plugins.education.console.forms import errors_of, go, parse, posted
from rapport_plugins.education.console.manage import instructors, teaches
from rapport_plugins.education.roles import RECORDS, require_reader
from rapport_plugins.education.schemas import CoursePatch

FIELDS = ("code", "title", "credits", "credit_unit", "level", "language", "description",
          "max_age_years", "instructor_id")
OPTIONAL = ("description", "max_age_years", "instructor_id")
DONE = ("saved", "published")


async def _page(request: Request, db: AsyncSession, principal: Principal,
                course_id: uuid.UUID, *, status: int = 200,
                values: dict[str, Any] | None = None,
                errors: dict[str, str] | None = None) -> Screen:
    require_reader(principal)
    course = await catalogue.course_out(db, await catalogue.find_course(db, principal,
                                                                        course_id))
    current = {k: getattr(course, k) for k in FIELDS}
    current["outcomes"] = [str(t.outcome_id) for t in course.outcomes]
    current["prerequisites"] = [str(r) for r in course.prerequisites]
    current.update({f"level-{t.outcome_id}": t.level for t in course.outcomes})
    outcomes = (await catalogue.list_outcomes(db, principal, None, 200)).items
    catalogue_page = (await catalogue.list_courses(db, principal, None, 200)).items
    courses = {c.id: c for c in catalogue_page}
    members = await instructors(db, principal.tenant_id)
    return Screen("education/course.html", course.title, {
        "course": course, "outcomes": outcomes, "levels": range(1, 6),
        "others": [c for c in catalogue_page if c.id != course.id],
        "requires": [courses[r] for r in course.prerequisites if r in courses],
        "instructors": members,
        "instructor": dict(members).get(str(course.instructor_id)),
        "registrar": principal.role in RECORDS, "values": values or current,
        "errors": errors or {},
        "done": next((k for k in DONE if request.query_params.get(k)), None),
    }, status=status)


@get("/courses/{course_id:uuid}")
async def course_page(request: Request, course_id: FromPath[uuid.UUID],
                      principal: NamedDependency[Principal],
                      db: NamedDependency[AsyncSession]) -> Screen:
    return await _page(request, db, principal, course_id)


@post("/courses/{course_id:uuid}", status_code=200)
async def change(request: Request, course_id: FromPath[uuid.UUID],
                 principal: NamedDependency[Principal],
                 db: NamedDependency[AsyncSession]) -> Screen | Response[Any]:
    form = await posted(request, lists=("outcomes", "prerequisites"))
    body: dict[str, Any] = {k: form.get(k, "") for k in FIELDS}
    body["outcomes"] = teaches(form)
    body["prerequisites"] = form.get("prerequisites", [])
    try:
        data = parse(body, CoursePatch)
        # Nothing ticked / left empty: no mapped outcome, no prerequisite, the optional
        # fields cleared (parse leaves blanks out, which a patch reads as "unchanged").
        cleared: dict[str, Any] = {k: None for k in OPTIONAL if not body[k]}
        cleared.update({k: [] for k in ("outcomes", "prerequisites") if not body[k]})
        data = msgspec.structs.replace(data, **cleared)
        await catalogue.change_course(db, principal, course_id, data)
    except RapportError as exc:
        if exc.status not in (403, 409, 422):
            raise
        return await _page(request, db, principal, course_id, status=exc.status,
                           values=form, errors=errors_of(exc))
    return go(request, f"/apps/education/courses/{course_id}?saved=1")


@post("/courses/{course_id:uuid}/publish", status_code=200)
async def publish(request: Request, course_id: FromPath[uuid.UUID],
                  principal: NamedDependency[Principal], db: NamedDependency[AsyncSession],
                  hooks: NamedDependency[TenantHooks]) -> Response[Any]:
    course = await catalogue.find_course(db, principal, course_id)
    await catalogue.publish(db, principal, hooks, course)
    return go(request, f"/apps/education/courses/{course_id}?published=1")


PAGES = [course_page, change, publish]
