"""The contact list: search as you type (the kernel's ranked, typo-tolerant ``q``) and
cursor paging, both as htmx swaps of the results only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts import records, service
from rapport.core.contacts.render import contacts_out
from rapport.core.contacts.search.query import MAX_QUERY
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.service import visible_fields
from rapport.core.fields.sorting import MAX_CURSOR
from rapport.hooks import Fragment, Screen
from rapport.tenancy.principal import Principal

PAGE = 25
RESULTS = "contact-results"


@get("/contacts")
async def contact_list(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    q: Annotated[str | None, QueryParameter(max_length=MAX_QUERY)] = None,
    cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
) -> Screen | Fragment:
    q = (q or "").strip() or None
    definitions = await visible_fields(db, principal, plugin_fields, service.ENTITY)
    page = await service.list_contacts(
        db, principal, definitions, cursor=cursor, limit=PAGE, q=q
    )
    loaded = await records.load(db, principal.tenant_id, page.items)
    context = {
        "contacts": await contacts_out(db, principal, definitions, loaded, None),
        "next_cursor": page.next_cursor,
        "q": q or "",
        "more": cursor is not None,
    }
    target = request.headers.get("hx-target")
    if cursor is not None and request.headers.get("hx-request") == "true":
        return Fragment("console/contacts/rows.html", context)
    if target == RESULTS:
        return Fragment("console/contacts/results.html", context)
    return Screen("console/contacts/list.html", "Contacts", context)
