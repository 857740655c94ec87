"""The contact list: search as you type (the kernel's ranked, typo-tolerant ``q``),
filters in the API's grammar (``field:op:value``, custom fields too), sort, column choice,
saved views, cursor paging — searches, filters and pages as htmx swaps of the results."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.console.contacts import columns as cols
from rapport.console.contacts import views
from rapport.console.guards import redirect
from rapport.core.contacts import records, service
from rapport.core.contacts.render import contacts_out
from rapport.core.contacts.search.query import MAX_QUERY
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.service import visible_fields
from rapport.core.fields.sorting import MAX_CURSOR
from rapport.errors import RapportError
from rapport.hooks import ContactFilter, Fragment, Screen
from rapport.tenancy.principal import Principal

PAGE = 25
RESULTS = "contact-results"
MAX_FILTERS = 20
Filters = Annotated[list[str] | None, QueryParameter(name="filter")]
Cols = Annotated[list[str] | None, QueryParameter(name="col")]
Sort = Annotated[str | None, QueryParameter(max_length=100)]


@dataclass
class ListState:
    """The list as the address describes it (a saved view fills what the address leaves)."""

    q: str = ""
    filters: list[str] = field(default_factory=list)
    sort: str = ""
    columns: list[str] = field(default_factory=list)
    view: views.SavedView | None = None

    def query(self, **extra: Any) -> str:
        pairs: list[tuple[str, Any]] = []
        if self.q:
            pairs.append(("q", self.q))
        pairs += [("filter", f) for f in self.filters]
        if self.sort:
            pairs.append(("sort", self.sort))
        pairs += [("col", c) for c in self.columns]
        pairs += [(k, v) for k, v in extra.items() if v is not None]
        return urlencode(pairs)

    def without(self, raw: str) -> str:
        return ListState(self.q, [f for f in self.filters if f != raw], self.sort,
                         self.columns).query()


async def state_of(
    db: AsyncSession, principal: Principal, *, q: str | None, filters: Sequence[str] | None,
    sort: str | None, columns: Sequence[str] | None, view: str | None,
    added: str | None = None,
) -> ListState:
    saved = None
    if view:
        try:
            view_id = uuid.UUID(view)
        except ValueError as exc:
            raise RapportError(detail="View not found", status=404, title="Not found") from exc
        saved = await views.get_view(db, principal, view_id)  # 404: not mine nor shared
    state = ListState(
        q=(q if q is not None else (saved.q if saved else "") or "").strip(),
        filters=[f for f in (filters if filters is not None else
                             (saved.filters if saved else [])) if f.strip()],
        sort=(sort if sort is not None else (saved.sort if saved else "") or "").strip(),
        columns=list(columns if columns is not None else (saved.columns if saved else [])),
        view=saved,
    )
    if added and added not in state.filters:
        state.filters.append(added)
    state.filters = state.filters[:MAX_FILTERS]
    return state


@get("/contacts")
async def contact_list(
    request: Request,
    principal: NamedDependency[Principal],
    db: NamedDependency[AsyncSession],
    plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    contact_filters: NamedDependency[Mapping[str, ContactFilter]],
    q: Annotated[str | None, QueryParameter(max_length=MAX_QUERY)] = None,
    cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
    filters: Filters = None,
    sort: Sort = None,
    columns: Cols = None,
    view: Annotated[str | None, QueryParameter(max_length=40)] = None,
    add_field: Annotated[str | None, QueryParameter(max_length=100)] = None,
    add_op: Annotated[str | None, QueryParameter(max_length=20)] = None,
    add_value: Annotated[str | None, QueryParameter(max_length=1000)] = None,
    done: Annotated[str | None, QueryParameter(max_length=20)] = None,
    n: Annotated[int, QueryParameter(ge=0, le=100_000)] = 0,
    tag: Annotated[str | None, QueryParameter(max_length=200)] = None,
) -> Screen | Fragment | Response[str]:
    definitions = await visible_fields(db, principal, plugin_fields, service.ENTITY)
    state = await state_of(
        db, principal, q=q, filters=filters, sort=sort, columns=columns, view=view,
        added=cols.compose(add_field, add_op, add_value),
    )
    if add_field is not None:  # the "add a filter" form: on to the list's own address
        return redirect(request, f"/contacts?{state.query()}")
    available = cols.available(definitions)
    shown = cols.chosen(state.columns, available)
    error = None
    contacts: list[Any] = []
    next_cursor = None
    try:
        async with db.begin_nested():  # a refused filter leaves the transaction usable
            page = await service.list_contacts(
                db, principal, definitions, cursor=cursor, limit=PAGE, q=state.q or None,
                filters=state.filters, sort=state.sort or None, contributed=contact_filters,
            )
            loaded = await records.load(db, principal.tenant_id, page.items)
            contacts = await contacts_out(db, principal, definitions, loaded, None)
            next_cursor = page.next_cursor
    except RapportError as exc:
        if exc.status != 400:
            raise
        error = exc.detail
    labels = dict(cols.filter_fields(available))
    context = {
        "contacts": contacts,
        "next_cursor": next_cursor,
        "q": state.q,
        "state": state,
        "columns": shown,
        "available": available,
        "filter_fields": cols.filter_fields(available),
        # Fields kernel areas and enabled plugins add (analysis classes …), named in the
        # reader's language by the template (each carries its labels).
        "contributed": sorted(contact_filters.values(), key=lambda f: f.name),
        "contributed_by_name": contact_filters,
        "sort_fields": cols.sort_fields(available),
        "ops": [(op, cols.OP_LABELS[op]) for op in cols.OPS],
        "chips": [(raw, *cols.describe(raw, labels)) for raw in state.filters],
        "owners": await cols.owners(db, principal),
        "error": error,
        "done": done,
        "done_n": n,
        "done_tag": tag or "",
        "more": cursor is not None,
        "list_query": state.query(),
    }
    target = request.headers.get("hx-target")
    if cursor is not None and request.headers.get("hx-request") == "true":
        return Fragment("console/contacts/rows.html", context)
    if target == RESULTS:
        return Fragment("console/contacts/results.html", context)
    context["views"] = await views.list_views(db, principal)
    return Screen("console/contacts/list.html", "Contacts", context)
