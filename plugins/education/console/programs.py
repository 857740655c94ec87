"""A programme's page in the console: its courses and, for registrars, the form to change it
— the whole form as a ``ProgramPatch`` (the course list replaced by what is ticked, an
optional field left empty cleared) through ``catalogue.change_program``, the service of
``PATCH /programs/{id}``."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, RapportError, Screen
from rapport_plugins.education import catalogue
from rapport_plugins.education.console.forms import errors_of, go, parse, posted
from rapport_plugins.education.roles import RECORDS, require_reader
from rapport_plugins.education.schemas import ProgramPatch

FIELDS = ("code", "title", "description", "credits")
OPTIONAL = ("description", "credits")


async def _page(request: Request, db: AsyncSession, principal: Principal,
                program_id: uuid.UUID, *, status: int = 200,
                values: dict[str, Any] | None = None,
                errors: dict[str, str] | None = None) -> Screen:
    require_reader(principal)
    program = await catalogue.program_out(db, await catalogue.find_program(db, principal,
                                                                           program_id))
    current: dict[str, Any] = {k: getattr(program, k) for k in FIELDS}
    current["courses"] = [str(c) for c in program.courses]
    courses = (await catalogue.list_courses(db, principal, None, 200)).items
    by_id = {c.id: c for c in courses}
    return Screen("education/program.html", program.title, {
        "program": program, "courses": courses,
        "included": [by_id[c] for c in program.courses if c in by_id],
        "registrar": principal.role in RECORDS, "values": values or current,
        "errors": errors or {}, "saved": bool(request.query_params.get("saved")),
    }, status=status)


@get("/programs/{program_id:uuid}")
async def program_page(request: Request, program_id: FromPath[uuid.UUID],
                       principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession]) -> Screen:
    return await _page(request, db, principal, program_id)


@post("/programs/{program_id:uuid}", status_code=200)
async def change(request: Request, program_id: FromPath[uuid.UUID],
                 principal: NamedDependency[Principal],
                 db: NamedDependency[AsyncSession]) -> Screen | Response[Any]:
    form = await posted(request, lists=("courses",))
    body: dict[str, Any] = {k: form.get(k, "") for k in FIELDS}
    body["courses"] = form.get("courses", [])
    try:
        data = parse(body, ProgramPatch)
        # Left empty / nothing ticked: cleared (parse leaves blanks out, which a patch
        # reads as "unchanged").
        cleared: dict[str, Any] = {k: None for k in OPTIONAL if not body[k]}
        if not body["courses"]:
            cleared["courses"] = []
        data = msgspec.structs.replace(data, **cleared)
        await catalogue.change_program(db, principal, program_id, data)
    except RapportError as exc:
        if exc.status not in (403, 409, 422):
            raise
        return await _page(request, db, principal, program_id, status=exc.status,
                           values=form, errors=errors_of(exc))
    return go(request, f"/apps/education/programs/{program_id}?saved=1")


PAGES = [program_page, change]
