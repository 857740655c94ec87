"""An outcome's page in the console: what it is, the external frameworks it is linked to
(typed: exact match, related, part of, replaced by; with the target's version) and, for
registrars, forms to change it and to link it to another framework — ``catalogue.
change_outcome`` and ``links.add_link``, the services of ``PATCH /outcomes/{id}`` and
``POST /outcomes/{id}/links``, checked against ``OutcomePatch`` and ``LinkIn``."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal, RapportError, Screen
from rapport_plugins.education import catalogue, links
from rapport_plugins.education.console.forms import errors_of, go, parse, posted
from rapport_plugins.education.roles import RECORDS, require_reader
from rapport_plugins.education.schemas import LinkIn, OutcomePatch

RELATIONS = (("exact", "exact match"), ("related", "related"), ("part_of", "part of"),
             ("replaced_by", "replaced by"))
OPTIONAL = ("description", "framework_uri", "framework_name")
DONE = ("saved", "linked")


async def _page(request: Request, db: AsyncSession, principal: Principal,
                outcome_id: uuid.UUID, *, status: int = 200, form: str | None = None,
                values: dict[str, Any] | None = None,
                errors: dict[str, str] | None = None) -> Screen:
    require_reader(principal)
    outcome = await catalogue.find_outcome(db, principal, outcome_id)  # 404 if not ours
    out = catalogue.outcome_out(outcome)
    return Screen("education/outcome.html", outcome.title, {
        "outcome": out, "outcome_values": {k: getattr(out, k) or "" for k in (
            "code", "title", *OPTIONAL)},
        "links": [links.link_out(x) for x in await links.links_of(db, principal, outcome_id)],
        "relations": RELATIONS, "registrar": principal.role in RECORDS, "form": form,
        "values": values or {}, "errors": errors or {},
        "done": next((k for k in DONE if request.query_params.get(k)), None),
    }, status=status)


@get("/outcomes/{outcome_id:uuid}")
async def outcome_page(request: Request, outcome_id: FromPath[uuid.UUID],
                       principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession]) -> Screen:
    return await _page(request, db, principal, outcome_id)


@post("/outcomes/{outcome_id:uuid}", status_code=200)
async def change(request: Request, outcome_id: FromPath[uuid.UUID],
                 principal: NamedDependency[Principal],
                 db: NamedDependency[AsyncSession]) -> Screen | Response[Any]:
    """The whole form as a patch: an optional field left empty is cleared."""
    form = await posted(request)
    body = {k: v for k, v in form.items() if k in ("code", "title", *OPTIONAL)}
    try:
        data = parse(body, OutcomePatch)
        cleared = {k: None for k in OPTIONAL if k in form and not form[k]}
        if cleared:
            data = msgspec.structs.replace(data, **cleared)
        await catalogue.change_outcome(db, principal, outcome_id, data)
    except RapportError as exc:
        if exc.status not in (403, 409, 422):
            raise
        return await _page(request, db, principal, outcome_id, status=exc.status,
                           form="change", values=form, errors=errors_of(exc))
    return go(request, f"/apps/education/outcomes/{outcome_id}?saved=1")


@post("/outcomes/{outcome_id:uuid}/links", status_code=200)
async def link(request: Request, outcome_id: FromPath[uuid.UUID],
               principal: NamedDependency[Principal],
               db: NamedDependency[AsyncSession]) -> Screen | Response[Any]:
    form = await posted(request)
    try:
        await links.add_link(db, principal, outcome_id, parse(form, LinkIn))
    except RapportError as exc:
        if exc.status not in (403, 409, 422):
            raise
        return await _page(request, db, principal, outcome_id, status=exc.status,
                           form="link", values=form, errors=errors_of(exc))
    return go(request, f"/apps/education/outcomes/{outcome_id}?linked=1#links")


PAGES = [outcome_page, change, link]
