"""The customer page: the profile, emails and phones, consent, organizations, who already
worked with this customer, the timeline (every enabled module's entries), and the panels
plugins add."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Sequence
from typing import Annotated, Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.chrome import allowed, visible
from rapport.console.rendering import console_of
from rapport.core.consent import service as consent
from rapport.core.contacts import service, view
from rapport.core.contacts.render import contacts_out
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.service import visible_fields
from rapport.core.fields.sorting import MAX_CURSOR
from rapport.core.interactions.timeline import timeline
from rapport.hooks import Fragment, PanelQuery, Screen, TenantHooks
from rapport.tenancy.principal import Principal

TIMELINE_PAGE = 20


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
    })


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
