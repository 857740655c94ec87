"""Segment screens over the API's services (``rapport.core.segments.service``): the list;
the builder — a definition written as JSON with the grammar and the tenant's contributed
conditions beside it, counted live (htmx, ``POST /segments/count``) as it is typed, refusals
naming the node; a segment's page with its members (cursor paging), the CSV export (the
API's own ``GET /api/v1/segments/{id}/export``, the session cookie signs it in) and, for a
static segment, re-taking the snapshot."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.forms import field_errors, parse
from rapport.console.guards import redirect
from rapport.console.i18n import N_
from rapport.console.pickers import filled
from rapport.core.contacts.models import Contact
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.sorting import MAX_CURSOR
from rapport.core.segments import service
from rapport.core.segments.compiler import NODE_KINDS
from rapport.core.segments.schemas import SegmentIn
from rapport.errors import RapportError, invalid
from rapport.hooks import Fragment, PluginRegistry, Screen
from rapport.tenancy.principal import Principal

PAGE = 25
MEMBERS = 50
FIELDS = ("name", "description", "kind", "definition")
TITLE, NEW = N_("Segments"), N_("New segment")
EXAMPLE = '{"all": [{"purchases": {"within_days": 90}}, {"consent": {"channel": "email", ' \
    '"topic": "offers"}}]}'
MEMBER_SHAPE = (Contact.id, Contact.given_name, Contact.family_name, Contact.email)


def _definition(raw: str | None) -> Any:
    """The builder's JSON, or a 422 on ``definition`` saying why it is not JSON."""
    if not raw or not raw.strip():
        raise invalid("definition", "Write the definition (JSON)")
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise invalid("definition", f"Not valid JSON: {exc.msg} (line {exc.lineno})") from None
    except RecursionError:
        raise invalid("definition", "Nested too deeply") from None


async def _words(db: AsyncSession, principal: Principal,
                 plugin_fields: Sequence[FieldDefinition],
                 registry: PluginRegistry) -> service.Vocabulary:
    return await service.vocabulary(db, principal, plugin_fields, registry)


def _builder(values: Mapping[str, Any], errors: Mapping[str, str],
             words: service.Vocabulary, status: int = 200) -> Screen:
    contributed = [
        {"name": c.name, "title": c.title, "description": c.description,
         "schema": json.dumps(c.schema.get("$defs", c.schema), ensure_ascii=False)}
        for c in sorted(words.conditions.values(), key=lambda c: c.name)
    ]
    return Screen("console/segments/form.html", NEW, {
        "values": values, "errors": errors, "kinds": NODE_KINDS,
        "contributed": contributed, "example": EXAMPLE,
    }, status=status)


def _beside_fields(errors: Mapping[str, str]) -> dict[str, str]:
    """Refusals by form field: a node's path (``definition.all[0].purchases``) is shown,
    with the reason, beside the definition."""
    shown: dict[str, str] = {}
    for key, message in errors.items():
        if key.startswith("definition."):
            shown["definition"] = f"{key}: {message}"
        else:
            shown[key] = message
    return shown


@get("/segments")
async def segment_list(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
) -> Screen | Fragment:
    page = await service.list_segments(db, principal, cursor=cursor, limit=PAGE)
    context = {"segments": page.items, "next_cursor": page.next_cursor}
    if cursor is not None and request.headers.get("hx-request") == "true":
        return Fragment("console/segments/rows.html", context)
    return Screen("console/segments/list.html", TITLE, context)


@get("/segments/new")
async def new_segment(
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    registry: NamedDependency[PluginRegistry],
) -> Screen:
    principal.require_writer()
    words = await _words(db, principal, plugin_fields, registry)
    return _builder({"kind": "dynamic", "definition": EXAMPLE}, {}, words)


@post("/segments/count", status_code=200)
async def live_count(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    registry: NamedDependency[PluginRegistry],
) -> Fragment:
    """The builder's live count: how many contacts the definition being typed matches, or
    what is wrong with it (the node's path and the reason)."""
    form = await request.form()
    words = await _words(db, principal, plugin_fields, registry)
    try:
        found = await service.count(db, principal, words,
                                    _definition(form.get("definition")))
    except RapportError as exc:
        if exc.status in (401, 403):
            raise
        return Fragment("console/segments/count.html",
                        {"error": _beside_fields(field_errors(exc)).get("definition")
                         or exc.detail})
    return Fragment("console/segments/count.html", {"count": found, "error": None})


@post("/segments/new", status_code=200)
async def create_segment(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    registry: NamedDependency[PluginRegistry],
) -> Any:
    form = await request.form()
    values = filled(form, FIELDS, required="name")
    words = await _words(db, principal, plugin_fields, registry)
    try:
        data = parse({**values, "definition": _definition(values.get("definition"))},
                     SegmentIn)
        async with db.begin_nested():
            segment = await service.create_segment(db, principal, data.values(), words)
    except RapportError as exc:
        if exc.status == 403:
            raise
        return _builder(values, _beside_fields(field_errors(exc)), words, status=exc.status)
    return redirect(request, f"/segments/{segment.id}")


@get("/segments/{segment_id:uuid}")
async def segment_page(
    request: Request,
    segment_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    registry: NamedDependency[PluginRegistry],
    cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
) -> Screen | Fragment:
    segment = await service.get_segment(db, principal, segment_id)  # 404 outside
    words = await _words(db, principal, plugin_fields, registry)
    problem = None
    try:
        condition = await service.segment_condition(db, principal, words, segment)
        page = await service.contacts_page(db, condition, MEMBER_SHAPE, cursor=cursor,
                                           limit=MEMBERS)
        members, next_cursor = page.items, page.next_cursor
        total = await service.count_where(db, condition) if cursor is None else None
    except RapportError as exc:
        # A saved definition naming a plugin the tenant switched off no longer compiles.
        if exc.status != 422:
            raise
        problem, members, next_cursor, total = exc.detail, [], None, None
    context = {"segment": segment, "members": members, "next_cursor": next_cursor,
               "total": total, "problem": problem,
               "definition": json.dumps(segment.definition, ensure_ascii=False, indent=1)}
    if cursor is not None and request.headers.get("hx-request") == "true":
        return Fragment("console/segments/members.html", context)
    return Screen("console/segments/page.html", segment.name, context)


@post("/segments/{segment_id:uuid}/snapshot", status_code=200)
async def snapshot_segment(
    request: Request,
    segment_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    registry: NamedDependency[PluginRegistry],
) -> Any:
    words = await _words(db, principal, plugin_fields, registry)
    await service.snapshot(db, principal, words, segment_id)
    return redirect(request, f"/segments/{segment_id}")
