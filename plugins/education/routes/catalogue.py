"""The catalogue: ``/api/v1/education/outcomes``, ``/courses``, ``/programs``."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec
from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import MAX_LIMIT, Principal, TenantHooks
from rapport_plugins.education import catalogue, links
from rapport_plugins.education.record import offer_audience
from rapport_plugins.education.roles import require_reader, require_registrar
from rapport_plugins.education.schemas import (
    AudienceOut,
    CourseIn,
    CourseOut,
    CoursePage,
    CoursePatch,
    LinkIn,
    LinkOut,
    OutcomeIn,
    OutcomeOut,
    OutcomePatch,
    ProgramIn,
    ProgramOut,
    ProgramPatch,
)

Cursor = Annotated[str | None, QueryParameter(max_length=64)]
Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)]


class OutcomePage(msgspec.Struct):
    items: list[OutcomeOut]
    next_cursor: str | None


class ProgramPage(msgspec.Struct):
    items: list[ProgramOut]
    next_cursor: str | None


class OutcomeController(Controller):
    path = "/outcomes"

    @post("/", status_code=201)
    async def create_outcome(self, data: JSONBody[OutcomeIn], principal: NamedDependency[Principal],
                             db: NamedDependency[AsyncSession]) -> OutcomeOut:
        """A learning outcome of your framework, optionally aligned to an external one by
        URI (code unique in your institution: 409)."""
        return catalogue.outcome_out(await catalogue.create_outcome(db, principal, data))

    @get("/")
    async def list_outcomes(self, principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession], cursor: Cursor = None,
                            limit: Limit = 50) -> OutcomePage:
        require_reader(principal)
        page = await catalogue.list_outcomes(db, principal, cursor, limit)
        return OutcomePage([catalogue.outcome_out(o) for o in page.items], page.next_cursor)

    @get("/{outcome_id:uuid}")
    async def read_outcome(self, outcome_id: FromPath[uuid.UUID],
                           principal: NamedDependency[Principal],
                           db: NamedDependency[AsyncSession]) -> OutcomeOut:
        require_reader(principal)
        return catalogue.outcome_out(await catalogue.find_outcome(db, principal, outcome_id))

    @patch("/{outcome_id:uuid}")
    async def update_outcome(self, outcome_id: FromPath[uuid.UUID],
                             data: JSONBody[OutcomePatch],
                             principal: NamedDependency[Principal],
                             db: NamedDependency[AsyncSession]) -> OutcomeOut:
        """Change an outcome's code, title, description or framework alignment (fields
        left out stay; code unique in your institution: 409); audited."""
        return catalogue.outcome_out(await catalogue.change_outcome(db, principal, outcome_id,
                                                                    data))

    @post("/{outcome_id:uuid}/links", status_code=201)
    async def link_outcome(self, outcome_id: FromPath[uuid.UUID], data: JSONBody[LinkIn],
                           principal: NamedDependency[Principal],
                           db: NamedDependency[AsyncSession]) -> LinkOut:
        """Relate the outcome to another framework's (exact, related, part_of,
        replaced_by, with its version): imported achievements then match through it."""
        return links.link_out(await links.add_link(db, principal, outcome_id, data))

    @get("/{outcome_id:uuid}/links")
    async def list_outcome_links(self, outcome_id: FromPath[uuid.UUID],
                                 principal: NamedDependency[Principal],
                                 db: NamedDependency[AsyncSession]) -> list[LinkOut]:
        require_reader(principal)
        return [links.link_out(x) for x in await links.links_of(db, principal, outcome_id)]


class CourseController(Controller):
    path = "/courses"

    @post("/", status_code=201)
    async def create_course(self, data: JSONBody[CourseIn], principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession],
                            hooks: NamedDependency[TenantHooks]) -> CourseOut:
        """A course with the outcomes it teaches (each at a proficiency level) and its
        prerequisites; every id must be one of your institution's (422 naming it)."""
        course = await catalogue.create_course(db, principal, hooks, data)
        return await catalogue.course_out(db, course)

    @get("/")
    async def list_courses(self, principal: NamedDependency[Principal],
                           db: NamedDependency[AsyncSession], cursor: Cursor = None,
                           limit: Limit = 50) -> CoursePage:
        require_reader(principal)
        page = await catalogue.list_courses(db, principal, cursor, limit)
        return CoursePage(await catalogue.courses_out(db, principal.tenant_id, page.items),
                          page.next_cursor)

    @get("/{course_id:uuid}")
    async def read_course(self, course_id: FromPath[uuid.UUID],
                          principal: NamedDependency[Principal],
                          db: NamedDependency[AsyncSession]) -> CourseOut:
        require_reader(principal)
        return await catalogue.course_out(db, await catalogue.find_course(db, principal,
                                                                          course_id))

    @patch("/{course_id:uuid}")
    async def update_course(self, course_id: FromPath[uuid.UUID], data: JSONBody[CoursePatch],
                            principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession]) -> CourseOut:
        """Change a course (fields left out stay; ``outcomes`` and ``prerequisites`` replace
        the mapping, every id one of your institution's: 422 naming it); audited."""
        course = await catalogue.change_course(db, principal, course_id, data)
        return await catalogue.course_out(db, course)

    @post("/{course_id:uuid}/publish", status_code=200)
    async def publish_course(self, course_id: FromPath[uuid.UUID],
                             principal: NamedDependency[Principal],
                             db: NamedDependency[AsyncSession],
                             hooks: NamedDependency[TenantHooks]) -> CourseOut:
        """Publish the course (``education.course_published``); idempotent."""
        require_registrar(principal)
        course = await catalogue.find_course(db, principal, course_id)
        return await catalogue.course_out(db, await catalogue.publish(db, principal, hooks,
                                                                      course))

    @get("/{course_id:uuid}/audience")
    async def course_audience(self, course_id: FromPath[uuid.UUID],
                              principal: NamedDependency[Principal],
                              db: NamedDependency[AsyncSession]) -> AudienceOut:
        """Returning alumni to offer the course to: learners with a completed course here,
        who consented to be contacted, and lack an outcome it teaches."""
        require_registrar(principal)
        course = await catalogue.find_course(db, principal, course_id)
        return AudienceOut(course.id, await offer_audience(db, principal, course.id))


class ProgramController(Controller):
    path = "/programs"

    @post("/", status_code=201)
    async def create_program(self, data: JSONBody[ProgramIn],
                             principal: NamedDependency[Principal],
                             db: NamedDependency[AsyncSession]) -> ProgramOut:
        program = await catalogue.create_program(db, principal, data)
        return await catalogue.program_out(db, program)

    @get("/")
    async def list_programs(self, principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession], cursor: Cursor = None,
                            limit: Limit = 50) -> ProgramPage:
        require_reader(principal)
        page = await catalogue.list_programs(db, principal, cursor, limit)
        return ProgramPage([await catalogue.program_out(db, p) for p in page.items],
                           page.next_cursor)

    @get("/{program_id:uuid}")
    async def read_program(self, program_id: FromPath[uuid.UUID],
                           principal: NamedDependency[Principal],
                           db: NamedDependency[AsyncSession]) -> ProgramOut:
        require_reader(principal)
        return await catalogue.program_out(db, await catalogue.find_program(db, principal,
                                                                            program_id))

    @patch("/{program_id:uuid}")
    async def update_program(self, program_id: FromPath[uuid.UUID],
                             data: JSONBody[ProgramPatch],
                             principal: NamedDependency[Principal],
                             db: NamedDependency[AsyncSession]) -> ProgramOut:
        """Change a programme (fields left out stay; null clears an optional one;
        ``courses`` replaces its list, every id one of your institution's: 422 naming it;
        code unique in your institution: 409); audited."""
        program = await catalogue.change_program(db, principal, program_id, data)
        return await catalogue.program_out(db, program)
