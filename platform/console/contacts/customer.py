"""The customer page: the profile, emails and phones, consent, organizations, who already
worked with this customer, the timeline (every enabled module's entries), and the panels
plugins add; previous/next within the list it was opened from, and a warning (with merge)
when the kernel's duplicate detection finds the same person twice."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Mapping, Sequence
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.chrome import allowed, visible
from rapport.console.contacts.log_call import DIRECTIONS, KINDS
from rapport.console.guards import redirect
from rapport.console.rendering import console_of
from rapport.core.consent import service as consent
from rapport.core.contacts import duplicates, service, view
from rapport.core.contacts.contributed import Contributed
from rapport.core.contacts.merge import merge_contacts
from rapport.core.contacts.provenance import provenance_of
from rapport.core.contacts.records import ContactRecord
from rapport.core.contacts.render import contacts_out
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.service import visible_fields
from rapport.core.fields.sorting import MAX_CURSOR
from rapport.core.interactions.timeline import timeline
from rapport.errors import FieldError, RapportError, invalid_many
from rapport.hooks import ContactFilter, Fragment, PanelQuery, Screen, TenantHooks
from rapport.tenancy.principal import Principal

TIMELINE_PAGE = 20
NEIGHBOUR_PAGE = 100
NEIGHBOUR_PAGES = 10  # previous/next looks through the list's first 1,000 contacts
MAX_LIST_QUERY = 4000


async def neighbours(
    db: AsyncSession, principal: Principal, definitions: Sequence[FieldDefinition],
    contact_id: uuid.UUID, list_query: str, contributed: Contributed | None = None,
) -> dict[str, Any] | None:
    """The contacts before and after this one in the list it was opened from (its ``q``,
    filters and sort, read through the list service), or None when it is not found."""
    asked = parse_qs(list_query)
    q = (asked.get("q") or [""])[0].strip() or None
    sort = (asked.get("sort") or [""])[0].strip() or None
    filters = asked.get("filter", [])
    seen: list[Any] = []
    cursor = None
    try:
        async with db.begin_nested():
            for _ in range(NEIGHBOUR_PAGES):
                page = await service.list_contacts(
                    db, principal, definitions, cursor=cursor, limit=NEIGHBOUR_PAGE, q=q,
                    filters=filters, sort=sort, contributed=contributed,
                )
                seen += page.items
                ids = [c.id for c in seen]
                if contact_id in ids:
                    at = ids.index(contact_id)
                    if at + 1 < len(seen) or page.next_cursor is None:
                        break
                cursor = page.next_cursor
                if cursor is None:
                    break
    except RapportError:
        return None
    ids = [c.id for c in seen]
    if contact_id not in ids:
        return None
    at = ids.index(contact_id)
    return {
        "previous": seen[at - 1] if at > 0 else None,
        "next": seen[at + 1] if at + 1 < len(seen) else None,
        "position": at + 1,
        "query": list_query,
    }


async def possible_duplicates(
    db: AsyncSession, principal: Principal, record: ContactRecord
) -> list[duplicates.Candidate]:
    """Other contacts the kernel would refuse to create this one beside (same e-mail or
    phone, or nearly the same name with the same birthday)."""
    c = record.contact
    return await duplicates.candidates(
        db, principal.tenant_id,
        email_keys=[e.key for e in record.emails],
        phones=[p.number for p in record.phones],
        name=duplicates.PersonName(c.given_name, c.patronymic, c.family_name,
                                   c.preferred_name),
        birthday=c.birthday,
        exclude=record.id,
    )


async def panels(
    request: Request, db: AsyncSession, principal: Principal, contact_id: uuid.UUID
) -> list[dict[str, Any]]:
    """The panels of the kernel and enabled plugins this member may see, loaded in the
    page's transaction; a panel whose ``load`` answers None is left out."""
    query = PanelQuery(principal.tenant_id, contact_id, db, principal)
    shown: list[tuple[int, str, dict[str, Any]]] = []
    for name, ui in visible(console_of(request).declared, principal):
        for panel in ui.panels:
            if not allowed(panel.roles, principal):
                continue
            loaded = panel.load(query)
            if inspect.isawaitable(loaded):
                loaded = await loaded
            if loaded is None:
                continue
            shown.append((panel.order, f"{name}.{panel.key}", {
                "key": f"{name}-{panel.key}", "title": panel.title,
                "template": panel.template, "context": dict(loaded),
            }))
    return [item for _, _, item in sorted(shown, key=lambda s: (s[0], s[1]))]


@get("/contacts/{contact_id:uuid}")
async def customer(
    request: Request,
    contact_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    hooks: NamedDependency[TenantHooks],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    contact_filters: NamedDependency[Mapping[str, ContactFilter]],
    list_query: Annotated[str | None, QueryParameter(name="list",
                                                     max_length=MAX_LIST_QUERY)] = None,
    merged: Annotated[str | None, QueryParameter(max_length=500)] = None,
    logged: Annotated[str | None, QueryParameter(max_length=20)] = None,
) -> Screen:
    record = await service.get_record(db, principal, contact_id)  # 404 outside the tenant
    definitions = await visible_fields(db, principal, plugin_fields, service.ENTITY)
    contact = (await contacts_out(db, principal, definitions, [record], None))[0]
    history = await timeline(db, principal, hooks, contact_id, limit=TIMELINE_PAGE)
    return Screen("console/contacts/customer.html", contact.display_name, {
        "contact": contact,
        "custom": [
            (d.label, contact.fields[d.full_key]) for d in definitions
            if contact.fields.get(d.full_key) not in (None, "", [])
        ],
        "owner": await view.owner(db, principal, record.contact),
        "organizations": await view.organization_links(db, principal, contact_id),
        "activity": await view.activity(db, principal, hooks, contact_id),
        "consents": await consent.current(db, principal, contact_id),
        "timeline": history.items,
        "next_cursor": history.next_cursor,
        "panels": await panels(request, db, principal, contact_id),
        "around": await neighbours(db, principal, definitions, contact_id, list_query,
                                   contact_filters)
        if list_query is not None else None,
        "duplicates": await possible_duplicates(db, principal, record),
        "merged": merged,
        "logged": logged,
        "log": {"contact_id": contact_id, "kinds": KINDS, "directions": DIRECTIONS,
                "typed": {"kind": "call"}, "errors": {}},
    })


@post("/contacts/{contact_id:uuid}/merge", status_code=303)
async def merge(
    request: Request,
    contact_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    hooks: NamedDependency[TenantHooks],
) -> Response[str]:
    """Merge the posted ``other_id`` into this contact — ``merge_contacts``, the service of
    ``POST /api/v1/contacts/{id}/merge`` (writers; another tenant's id is a 404)."""
    form = await request.form()
    try:
        other_id = uuid.UUID(str(form.get("other_id", "")))
    except ValueError as exc:
        raise invalid_many([FieldError("other_id", "must be a contact id")]) from exc
    other = await service.get_record(db, principal, other_id)  # 404 outside the tenant
    definitions = await visible_fields(db, principal, plugin_fields, service.ENTITY)
    await merge_contacts(db, principal, contact_id, other_id, definitions, hooks,
                         provenance_of(None, channel="merge"))
    shown = urlencode({"merged": (other.contact.display_name or "")[:200]})
    return redirect(request, f"/contacts/{contact_id}?{shown}")


@get("/contacts/{contact_id:uuid}/timeline")
async def more_timeline(
    contact_id: FromPath[uuid.UUID],
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    hooks: NamedDependency[TenantHooks],
    cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
) -> Fragment:
    history = await timeline(db, principal, hooks, contact_id, cursor=cursor,
                             limit=TIMELINE_PAGE)
    return Fragment("console/contacts/timeline_items.html", {
        "contact_id": contact_id, "timeline": history.items,
        "next_cursor": history.next_cursor,
    })
