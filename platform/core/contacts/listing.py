"""The contact list: ``q`` search, ``filter=field:op:value`` (core columns, tags,
organization, custom fields), ``sort`` and keyset cursors that stay correct while rows are
inserted.

Core columns compare with leakproof operators (text, date, uuid) on tenant-led btree
indexes; tags and organizations are ``id IN (…)`` probes of their own tenant-led indexes.
An ``eq``/``in`` filter on an indexed custom field is joined as an index walk in id order
(``filters.Walk``), so a page reads about a page of rows. With ``q`` and no ``sort`` the
list is ordered by relevance (``search.query.tiers`` for one word, ``ranking`` for
several), its cursor carrying the rank.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from typing import Any, TypeAlias

from sqlalchemy import Integer, Select, Uuid, bindparam, exists, func, not_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.sql.elements import ColumnElement

from rapport.core.contacts import contributed as contributed_fields
from rapport.core.contacts.contributed import Contributed
from rapport.core.contacts.models import Contact, ContactOrganization, ContactTag
from rapport.core.contacts.search import query as search
from rapport.core.fields.definitions import FieldDefinition, FieldType
from rapport.core.fields.filters import (
    MAX_IN_VALUES,
    FilterPlan,
    Op,
    Target,
    bad_query,
    core_target,
    field_targets,
    plan_filters,
)
from rapport.core.fields.sorting import Sort, parse_sort
from rapport.core.pagination import Page, by_id, check_limit, cut, decode_id
from rapport.db import direct
from rapport.db.session import PREFILTERED
from rapport.tenancy.principal import Principal

ENTITY = "contact"
# Core attributes a list can be filtered and sorted by, read as the field type they behave as.
QUERYABLE: dict[str, FieldType] = {
    "given_name": FieldType.TEXT,
    "family_name": FieldType.TEXT,
    "patronymic": FieldType.TEXT,
    "preferred_name": FieldType.TEXT,
    "display_name": FieldType.TEXT,
    "email": FieldType.EMAIL,
    "birthday": FieldType.DATE,
    "language": FieldType.TEXT,
    "owner_id": FieldType.REFERENCE,
    "source": FieldType.TEXT,
    "external_id": FieldType.TEXT,
    "created_at": FieldType.DATETIME,
    "updated_at": FieldType.DATETIME,
}
# Filterable through their own tables (not sortable: a contact has several of each).
LINKED = ("tags", "organization")
_LINKED_OPS = (Op.EQ, Op.NE, Op.IN, Op.CONTAINS, Op.IS_EMPTY)


ContactPage: TypeAlias = Page[Contact]
# What each row of a list selects: None for the entity (the default), or columns — the
# API's list reads ``records.read_shape()``, rows with no ORM entity behind them.
Shape = tuple[Any, ...] | None


def _select(shape: Shape, *extra: Any) -> Select[Any]:
    return select(*(shape or (Contact,)), *extra)


def query_targets(
    tenant_id: uuid.UUID, definitions: Sequence[FieldDefinition]
) -> dict[str, Target]:
    core = {name: core_target(name, getattr(Contact, name), t) for name, t in QUERYABLE.items()}
    custom = field_targets(Contact.fields, definitions, record_id=Contact.id, tenant_id=tenant_id)
    return {**core, **custom}


def _linked_values(name: str, op: Op, raw: str) -> list[Any]:
    if op == Op.IS_EMPTY:
        if raw not in ("", "true", "false"):
            raise bad_query("filter", f"{name}:is_empty takes true or false")
        return []
    parts = [p.strip() for p in raw.split(",")] if op in (Op.IN, Op.CONTAINS) else [raw.strip()]
    if not all(parts):
        raise bad_query("filter", f"{name}:{op}: needs a value (use is_empty for none)")
    if len(parts) > MAX_IN_VALUES:
        raise bad_query("filter", f"{name}:{op}: takes at most {MAX_IN_VALUES} values")
    if name == "tags":
        return [" ".join(p.split()).lower() for p in parts]
    try:
        return [uuid.UUID(p) for p in parts]
    except ValueError:
        raise bad_query("filter", f"{name}:{op}: must be an organization id") from None


def _linked_filter(tenant_id: uuid.UUID, name: str, op: Op, raw: str) -> ColumnElement[bool]:
    """``tags:eq:vip`` has the tag, ``in`` any of them, ``contains`` all of them, ``ne`` not
    it, ``is_empty`` none at all; ``organization`` the same over organization ids."""
    values = _linked_values(name, op, raw)
    table: type[ContactTag] | type[ContactOrganization]
    column: InstrumentedAttribute[str] | InstrumentedAttribute[uuid.UUID]
    if name == "tags":
        table, column, owner = ContactTag, ContactTag.tag, ContactTag.contact_id
        tenant = ContactTag.tenant_id
    else:
        table = ContactOrganization
        column, owner = ContactOrganization.organization_id, ContactOrganization.contact_id
        tenant = ContactOrganization.tenant_id

    def having(*condition: ColumnElement[bool]) -> ColumnElement[bool]:
        return Contact.id.in_(select(owner).where(tenant == tenant_id, *condition))

    if op == Op.IS_EMPTY:
        some = exists(select(table.id).where(tenant == tenant_id, owner == Contact.id))
        return not_(some) if raw in ("", "true") else some
    if op == Op.NE:
        return not_(having(column == values[0]))
    if op == Op.CONTAINS:
        return Contact.id.in_(
            select(owner).where(tenant == tenant_id, column.in_(values))
            .group_by(owner)
            .having(func.count(column.distinct()) >= len(set(values)))
        )
    return having(column.in_(values))


def _split_filters(
    tenant_id: uuid.UUID, raws: Sequence[str], contributed: Contributed | None = None
) -> tuple[list[str], list[ColumnElement[bool]]]:
    """Tag and organization filters are read here, fields kernel areas and plugins
    contribute (``rapport_contact_filters``) by ``contributed``; the rest by the field
    kernel's parser."""
    rest, linked = [], []
    for raw in raws:
        if "\x00" in raw:
            raise bad_query("filter", "must not contain NUL characters")
        name, _, tail = raw.partition(":")
        if contributed and name in contributed:
            op_name, _, value = tail.partition(":")
            linked.append(contributed_fields.condition(tenant_id, contributed[name], op_name,
                                                       value))
            continue
        if name not in LINKED:
            rest.append(raw)
            continue
        op_name, _, value = tail.partition(":")
        try:
            op = Op(op_name)
        except ValueError:
            raise bad_query(
                "filter", f"unknown operator {op_name!r} (use {', '.join(_LINKED_OPS)})"
            ) from None
        if op not in _LINKED_OPS:
            raise bad_query(
                "filter", f"operator {op} does not apply to {name} (use {', '.join(_LINKED_OPS)})"
            )
        linked.append(_linked_filter(tenant_id, name, op, value))
    return rest, linked


def _filtered(
    tenant_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    filters: Sequence[str],
    sort: str | None,
    contributed: Contributed | None = None,
) -> tuple[FilterPlan, Sort | None]:
    plain, linked = _split_filters(tenant_id, filters, contributed)
    # The targets (a column expression per queryable field) only when a filter or the
    # sort names one: the plain newest-first page needs none.
    targets = query_targets(tenant_id, definitions) if plain or sort else {}
    planned = plan_filters(plain, targets, definitions)
    if sort and sort.lstrip("-") in LINKED:
        raise bad_query("sort", f"cannot sort by {sort.lstrip('-')}: a contact has several")
    order = parse_sort(sort, targets, definitions)
    # Trashed contacts are in no list, search or export.
    live = Contact.deleted_at.is_(None)
    return FilterPlan([live, *planned.conditions, *linked], planned.walk), order


def _walked(query: Select[Any], planned: FilterPlan) -> Select[Any]:
    walk = planned.walk
    return query if walk is None else query.join(walk.entries, walk.join_condition(Contact.id))


def list_statement(
    tenant_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    *,
    filters: Sequence[str] = (),
    sort: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    search_plan: search.SearchPlan | None = None,
    shape: Shape = None,
    contributed: Contributed | None = None,
) -> tuple[Select[Any], Sort | None]:
    """The list query (exposed so tests can EXPLAIN exactly what the endpoint runs).

    Without ``sort``: newest first by id. With one: the sort value is selected as a second
    column so the next cursor can carry it. ``q`` only narrows here (see
    ``ranked_statement`` for the relevance order the endpoint gives it).
    """
    planned, order = _filtered(tenant_id, definitions, filters, sort, contributed)
    conditions = [*planned.conditions, *search.conditions(search_plan, tenant_id, Contact.id)]
    query: Select[Any]
    if order is None:
        query = _walked(_select(shape), planned).where(Contact.tenant_id == tenant_id, *conditions)
        if cursor:
            last_id = decode_id(cursor)
            query = query.where(Contact.id < last_id)
            if planned.walk is not None:  # so the walk starts at the cursor, not the end
                query = query.where(planned.walk.record_id < last_id)
        return query.order_by(Contact.id.desc()).limit(limit + 1), None
    query = _walked(_select(shape, order.value.label("sort_value")), planned).where(
        Contact.tenant_id == tenant_id, *conditions
    )
    if cursor:
        value, last_id = order.decode(cursor)
        query = query.where(order.after(Contact.id, value, last_id))
    return query.order_by(*order.order_by(Contact.id)).limit(limit + 1), order


def ranked_statement(
    tenant_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    search_plan: search.SearchPlan,
    *,
    filters: Sequence[str] = (),
    cursor: str | None = None,
    limit: int = 50,
    shape: Shape = None,
    contributed: Contributed | None = None,
) -> Select[Any]:
    """``q`` without ``sort``: best matches first, ties newest first; selects the rank as a
    second column so the next cursor can carry it."""
    planned, _ = _filtered(tenant_id, definitions, filters, None, contributed)
    ranked = search.ranking(search_plan, tenant_id)
    query = (
        _walked(_select(shape, ranked.c.score), planned)
        .join(ranked, ranked.c.id == Contact.id)
        .where(Contact.tenant_id == tenant_id, *planned.conditions)
    )
    if cursor:
        query = query.where(search.after(ranked, Contact.id, search_plan, cursor))
    return query.order_by(ranked.c.score.desc(), Contact.id.desc()).limit(limit + 1)


def tier_statement(
    tenant_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    tier: ColumnElement[bool],
    *,
    filters: Sequence[str] = (),
    before: uuid.UUID | None = None,
    limit: int = 50,
    shape: Shape = None,
    contributed: Contributed | None = None,
) -> Select[Any]:
    """One rank of a one-word ``q`` (``search.query.tiers``): a plain newest-first list."""
    planned, _ = _filtered(tenant_id, definitions, filters, None, contributed)
    query = _walked(_select(shape), planned).where(
        Contact.tenant_id == tenant_id, *planned.conditions, tier
    )
    if before is not None:
        query = query.where(Contact.id < before)
        if planned.walk is not None:
            query = query.where(planned.walk.record_id < before)
    return query.order_by(Contact.id.desc()).limit(limit)


async def _ranked_page(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    plan: search.SearchPlan,
    *,
    filters: Sequence[str],
    cursor: str | None,
    limit: int,
    shape: Shape,
    contributed: Contributed | None = None,
) -> Page[Any]:
    """Best first: rank by rank for one word (stopping once the page is full), in one
    summing query for several."""
    rows: list[tuple[Any, int]]
    tiers = search.tiers(plan, tenant_id, Contact.id)
    if tiers is None:
        ranked = ranked_statement(
            tenant_id, definitions, plan, filters=filters, cursor=cursor, limit=limit,
            shape=shape, contributed=contributed,
        )
        rows = [(_item(row, shape), row[-1]) for row in await session.execute(ranked)]
    else:
        start, last_id = search.decode_cursor(plan, cursor) if cursor else (None, None)
        rows = []
        for score, tier in tiers:
            if start is not None and score > start:
                continue  # ranks before the cursor's
            statement = tier_statement(
                tenant_id, definitions, tier, filters=filters,
                before=last_id if score == start else None, limit=limit + 1 - len(rows),
                shape=shape, contributed=contributed,
            )
            found = await session.execute(statement)
            rows += [(item, score) for item in (found.scalars() if shape is None else found)]
            if len(rows) > limit:
                break
    page = cut(rows, limit, lambda row: search.cursor_key(plan, row[1], row[0].id))
    return page.map(lambda row: row[0])


PLAIN_TENANT, PLAIN_AFTER, PLAIN_LIMIT = "list_tenant_id", "list_after_id", "list_limit"


@functools.cache
def plain_statement(shape: tuple[Any, ...], after: bool) -> Select[Any]:
    """``list_statement`` without filter, sort or ``q`` (the common page), built once with
    bind parameters for the tenant, the cursor's id (``after``) and the limit. It filters by
    the tenant itself — ``shape``'s lists are correlated to the row's own tenant — so it
    skips the per-statement criteria option and SQLAlchemy reuses its cache key
    (``tests/test_prebuilt_filters.py``); forced RLS stays the second lock."""
    query = select(*shape).where(
        Contact.tenant_id == bindparam(PLAIN_TENANT, type_=Uuid()), Contact.deleted_at.is_(None)
    )
    if after:
        query = query.where(Contact.id < bindparam(PLAIN_AFTER, type_=Uuid()))
    return (
        query.order_by(Contact.id.desc())
        .limit(bindparam(PLAIN_LIMIT, type_=Integer()))
        .execution_options(**{PREFILTERED: True})
    )


def _item(row: Any, shape: Shape) -> Any:
    """The list item a row of ``shape`` carries: the entity, or the row itself."""
    return row[0] if shape is None else row


async def _list(
    session: AsyncSession,
    actor: Principal,
    definitions: Sequence[FieldDefinition],
    *,
    cursor: str | None,
    limit: int,
    filters: Sequence[str],
    sort: str | None,
    q: str | None,
    shape: Shape,
    contributed: Contributed | None = None,
) -> Page[Any]:
    check_limit(limit)
    plan = await search.plan(session, actor.tenant_id, q)
    if plan is not None and not sort:
        return await _ranked_page(
            session, actor.tenant_id, definitions, plan, filters=filters, cursor=cursor,
            limit=limit, shape=shape, contributed=contributed,
        )
    if shape is not None and plan is None and not filters and not sort:
        # The plain newest-first page of rows: the prebuilt statement, same SQL as below.
        values: dict[str, Any] = {PLAIN_TENANT: actor.tenant_id, PLAIN_LIMIT: limit + 1}
        if cursor:
            values[PLAIN_AFTER] = decode_id(cursor)
        # Sent straight through the transaction's connection (rapport.db.direct): rows
        # read by name, as SQLAlchemy's are, without its execution and result layers.
        found = await direct.fetch_named(session, plain_statement(shape, bool(cursor)), values)
        return cut(found, limit, by_id)
    query, order = list_statement(
        actor.tenant_id, definitions, filters=filters, sort=sort, cursor=cursor, limit=limit,
        search_plan=plan, shape=shape, contributed=contributed,
    )
    result = await session.execute(query)
    if order is None:
        return cut(list(result.scalars() if shape is None else result), limit, by_id)
    rows = [(_item(row, shape), row[-1]) for row in result]
    return cut(rows, limit, order.key).map(lambda row: row[0])


async def list_contacts(
    session: AsyncSession,
    actor: Principal,
    definitions: Sequence[FieldDefinition],
    *,
    cursor: str | None,
    limit: int,
    filters: Sequence[str] = (),
    sort: str | None = None,
    q: str | None = None,
    contributed: Contributed | None = None,
) -> ContactPage:
    return await _list(session, actor, definitions, cursor=cursor, limit=limit,
                       filters=filters, sort=sort, q=q, shape=None, contributed=contributed)


async def list_rows(
    session: AsyncSession,
    actor: Principal,
    definitions: Sequence[FieldDefinition],
    shape: tuple[Any, ...],
    *,
    cursor: str | None,
    limit: int,
    filters: Sequence[str] = (),
    sort: str | None = None,
    q: str | None = None,
    contributed: Contributed | None = None,
) -> Page[Any]:
    """The page of ``list_contacts`` (same order, filters, cursors), each item a row of
    ``shape``'s columns instead of an entity: the same ORM-enabled statements, so the
    session's tenant criteria applies as before; nothing enters the identity map."""
    return await _list(session, actor, definitions, cursor=cursor, limit=limit,
                       filters=filters, sort=sort, q=q, shape=shape, contributed=contributed)
