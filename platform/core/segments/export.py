"""A segment's contacts as a file: the contact list export's columns and streaming
(``imports.export.stream_pages``), its pages read by the segment's one statement."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from rapport.core.contacts import records
from rapport.core.contacts.models import Contact
from rapport.core.contacts.records import ContactRecord
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.imports.export import MEDIA_TYPES, PAGE, Format, stream_pages
from rapport.core.pagination import by_id, cut, newest_first

__all__ = ["MEDIA_TYPES", "stream"]


def stream(
    maker: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    user_id: uuid.UUID,
    definitions: Sequence[FieldDefinition],
    file_format: Format,
    condition: ColumnElement[bool],
) -> AsyncIterator[bytes]:
    """The contacts meeting ``condition`` (a segment's, built before the stream starts so
    a definition that no longer compiles is a 422, not a broken file), newest first."""

    async def read_page(
        session: AsyncSession, cursor: str | None
    ) -> tuple[list[ContactRecord], str | None]:
        query = newest_first(select(Contact).where(condition), Contact.id, cursor, PAGE)
        page = cut(list((await session.execute(query)).scalars()), PAGE, by_id)
        return await records.load(session, tenant_id, page.items), page.next_cursor

    return stream_pages(maker, tenant_id, user_id, definitions, file_format, read_page)
