"""Contacts out as CSV or JSON lines, with the import's columns so an export imports back to
the same contacts. Pages are read by keyset with the list's own statement (same filters,
``q`` and ``sort``), each page in its own short transaction, while the response streams.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, Literal

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from rapport.core.audit import jsonable
from rapport.core.contacts import records, windows
from rapport.core.contacts.contributed import Contributed
from rapport.core.contacts.listing import list_statement
from rapport.core.contacts.records import ContactRecord
from rapport.core.contacts.search.query import SearchPlan
from rapport.core.fields.definitions import FieldDefinition, FieldType
from rapport.core.imports import cells, formulas
from rapport.core.imports.columns import SEPARATOR, export_columns, importable_fields
from rapport.core.pagination import by_id, cut
from rapport.db.session import tenant_session

Format = Literal["csv", "jsonl"]
PAGE = 1_000
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}


def values_of(record: ContactRecord, fields: dict[str, FieldDefinition]) -> dict[str, Any]:
    """The contact by the import's columns (lists as lists, custom fields as stored)."""
    c = record.contact
    out: dict[str, Any] = {
        "external_id": c.external_id,
        "honorific": c.honorific,
        "given_name": c.given_name,
        "patronymic": c.patronymic,
        "family_name": c.family_name,
        "preferred_name": c.preferred_name,
        "email": c.email,
        "emails": [e.address for e in record.emails if not e.primary],
        "phones": [p.number for p in record.phones],
        "birthday": c.birthday,
        "language": c.language,
        "time_zone": c.time_zone,
        "send_window": (windows.describe(c.window_start, c.window_end, c.window_days)
                        if c.window_start is not None else None),
        "tags": list(record.tags),
        "addresses": list(c.addresses or []),
        "owner_id": c.owner_id,
        "source": c.source,
    }
    stored = c.fields or {}
    for column, d in fields.items():
        out[column] = stored.get(d.full_key)
    return out


def _cell(column: str, value: Any, fields: dict[str, FieldDefinition]) -> str:
    if column in fields:
        return cells.write_cell(fields[column], value)
    if value is None:
        return ""
    if column == "addresses":
        return msgspec.json.encode(value).decode() if value else ""
    if isinstance(value, list):
        return SEPARATOR.join(value)
    return str(value)


NUMERIC = frozenset({FieldType.INTEGER, FieldType.DECIMAL})


def csv_lines(
    page: Sequence[ContactRecord], header: Sequence[str], fields: dict[str, FieldDefinition]
) -> bytes:
    """Rows of the CSV export; cells a spreadsheet would run as formulas are neutralised
    (``formulas``), the header being our own column names."""
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\n")
    numeric = {column for column, d in fields.items() if d.type in NUMERIC}
    for record in page:
        values = values_of(record, fields)
        out.writerow([
            formulas.neutralise(_cell(column, values[column], fields),
                                numeric=column in numeric)
            for column in header
        ])
    return buffer.getvalue().encode()


def json_lines(page: Sequence[ContactRecord], fields: dict[str, FieldDefinition]) -> bytes:
    lines = [
        msgspec.json.encode({"id": str(r.id), **jsonable(values_of(r, fields))}) + b"\n"
        for r in page
    ]
    return b"".join(lines)


def header_line(header: Sequence[str]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(header)
    return buffer.getvalue().encode()


async def _page(
    session: AsyncSession,
    tenant_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    filters: Sequence[str],
    sort: str | None,
    plan: SearchPlan | None,
    cursor: str | None,
    contributed: Contributed | None = None,
) -> tuple[list[ContactRecord], str | None]:
    query, order = list_statement(
        tenant_id, definitions, filters=filters, sort=sort, cursor=cursor, limit=PAGE,
        search_plan=plan, contributed=contributed,
    )
    if order is None:
        page = cut(list((await session.execute(query)).scalars()), PAGE, by_id)
    else:
        rows = list((await session.execute(query)).all())
        page = cut(rows, PAGE, order.key).map(lambda row: row[0])
    return await records.load(session, tenant_id, page.items), page.next_cursor


PageReader = Callable[
    [AsyncSession, str | None], Awaitable[tuple[list[ContactRecord], str | None]]
]


async def stream_pages(
    maker: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    file_format: Format,
    read_page: PageReader,
) -> AsyncIterator[bytes]:
    """An export of any keyset-paged contact query, page by page, each page read in its
    own transaction of the tenant: ``read_page(session, cursor)`` answers a page of
    records and the next cursor (None at the end). The contact list and segments both
    export through it, so their files have the same columns."""
    fields = importable_fields(definitions)
    header = export_columns(definitions)
    if file_format == "csv":
        yield header_line(header)
    cursor: str | None = None
    while True:
        async with tenant_session(maker, tenant_id, user_id) as session:
            page, cursor = await read_page(session, cursor)
        if page:
            yield csv_lines(page, header, fields) if file_format == "csv" else json_lines(
                page, fields
            )
        if cursor is None:
            return


def stream(
    maker: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    file_format: Format,
    *,
    filters: Sequence[str] = (),
    sort: str | None = None,
    plan: SearchPlan | None = None,
    contributed: Contributed | None = None,
) -> AsyncIterator[bytes]:
    """The contact list's export (its ``filter``, ``q`` and ``sort``; ``contributed``: the
    filter fields kernel areas and plugins add), page by page."""

    async def read_page(
        session: AsyncSession, cursor: str | None
    ) -> tuple[list[ContactRecord], str | None]:
        return await _page(session, tenant_id, definitions, filters, sort, plan, cursor,
                           contributed)

    return stream_pages(maker, tenant_id, user_id, definitions, file_format, read_page)
