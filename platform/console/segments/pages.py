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
# The builder's "Add a condition": a preset and one value, composed into a node here.
PRESETS: tuple[tuple[str, str], ...] = (
    ("bought_within", N_("Bought in the last N days (value: N)")),
    ("not_bought_within", N_("Bought nothing in the last N days (value: N)")),
    ("min_purchases", N_("Bought at least N times (value: N)")),
    ("contacted_within", N_("An interaction in the last N days (value: N)")),
    ("email_consent", N_("May get e-mail about a topic now (value: the topic)")),
    ("tag", N_("Has a tag (value: the tag)")),
    ("relationship_kind", N_("Member of a relationship of a kind (value: family, group …)")),
    ("spent_at_least", N_("Spent at least an amount (value: 250 EUR)")),
    ("bought_product", N_("Bought a product (value: its name)")),
    ("bought_category", N_("Bought in a category (value: the category)")),
    ("negate_above", N_("The opposite of everything above (no value)")),
)
# A contributed condition's preset: this prefix and its name; the value is its JSON.
CONTRIBUTED = "contributed:"


def _preset_node(preset: str, raw: str) -> dict[str, Any]:
    """The node a preset and its value stand for (the compiler checks it like any other)."""
    value = raw.strip()
    if preset in ("bought_within", "not_bought_within", "min_purchases", "contacted_within"):
        if not value.isdigit():
            raise invalid("value", "Write a whole number")
        n = int(value)
        nodes: dict[str, dict[str, Any]] = {
            "bought_within": {"purchases": {"within_days": n}},
            "not_bought_within": {"not": {"purchases": {"within_days": n}}},
            "min_purchases": {"purchases": {"min_count": n}},
            "contacted_within": {"interactions": {"within_days": n}},
        }
        return nodes[preset]
    if not value:
        raise invalid("value", "Write the value")
    if preset.startswith(CONTRIBUTED):
        try:
            given: Any = json.loads(value)
        except json.JSONDecodeError:
            given = value  # a bare word: the condition's value as a string
        return {preset.removeprefix(CONTRIBUTED): given}
    if preset == "spent_at_least":
        amount, _, currency = value.partition(" ")
        if not currency.strip():
            raise invalid("value", "Write the amount and its currency, e.g. 250 EUR")
        return {"purchases": {"min_sum": amount, "currency": currency.strip().upper()}}
    if preset == "bought_product":
        return {"purchases": {"product": value}}
    if preset == "bought_category":
        return {"purchases": {"category": value}}
    if preset == "email_consent":
        return {"consent": {"channel": "email", "topic": value}}
    if preset == "tag":
        return {"filter": f"tags:eq:{value}"}
    if preset == "relationship_kind":
        return {"member_of": {"kind": value}}
    raise invalid("preset", "Choose a condition")


def combined(current: Any, node: dict[str, Any], either: bool) -> Any:
    """``current`` and ``node`` under ``all`` (or ``any``), flattening a list of the same
    kind; a blank definition is the node alone."""
    if current is None:
        return node
    key = "any" if either else "all"
    if isinstance(current, dict) and list(current) == [key] and isinstance(current[key], list):
        return {key: [*current[key], node]}
    return {key: [current, node]}


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
        "presets": [*PRESETS, *((f"{CONTRIBUTED}{c['name']}", c["title"]) for c in contributed)],
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


@post("/segments/builder", status_code=200)
async def add_condition(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    registry: NamedDependency[PluginRegistry],
) -> Fragment:
    """The definition field again, with the chosen condition added (the live count runs
    when it is swapped in); a bad value or a definition that is not JSON is named there."""
    form = await request.form()
    text = str(form.get("definition") or "")
    try:
        current = _definition(text) if text.strip() else None
        preset = str(form.get("preset") or "")
        if preset == "negate_above":
            if current is None:
                raise invalid("definition", "Nothing above to turn into its opposite")
            result = {"not": current}
        else:
            node = _preset_node(preset, str(form.get("value") or ""))
            if form.get("negate"):
                node = {"not": node}
            result = combined(current, node, bool(form.get("any")))
        text = json.dumps(result, ensure_ascii=False)
        errors: dict[str, str] = {}
    except RapportError as exc:
        errors = {"definition": "; ".join(field_errors(exc).values())}
    return Fragment("console/segments/definition.html",
                    {"values": {"definition": text}, "errors": errors})


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
