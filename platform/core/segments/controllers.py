"""HTTP doors of segments: CRUD, the live count of a draft definition, and the contacts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts import records
from rapport.core.contacts.controllers import Locale
from rapport.core.contacts.render import contacts_out
from rapport.core.contacts.service import ENTITY
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.fields.service import visible_fields
from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.core.segments import service
from rapport.core.segments.schemas import (
    DefinitionIn,
    SegmentContactList,
    SegmentCount,
    SegmentIn,
    SegmentList,
    SegmentOut,
    SegmentPatch,
)
from rapport.tenancy.principal import Principal


class SegmentController(Controller):
    path = "/api/v1/segments"
    tags = ["segments"]

    @get("/")
    async def list_segments(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> SegmentList:
        """Newest first; pass ``next_cursor`` back as ``cursor``. ``count`` is null here
        (GET one segment counts it)."""
        page = await service.list_segments(db, principal, cursor=cursor, limit=limit)
        return SegmentList([SegmentOut.of(s) for s in page.items], page.next_cursor)

    @post("/", status_code=201)
    async def create_segment(
        self,
        data: JSONBody[SegmentIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    ) -> SegmentOut:
        """A dynamic segment; a definition that does not compile is a 422 naming where."""
        definitions = await visible_fields(db, principal, plugin_fields, ENTITY)
        segment = await service.create_segment(db, principal, data.values(), definitions)
        return SegmentOut.of(segment)

    @post("/count", status_code=200)
    async def count_definition(
        self,
        data: JSONBody[DefinitionIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    ) -> SegmentCount:
        """How many contacts a draft definition matches now (nothing is saved)."""
        definitions = await visible_fields(db, principal, plugin_fields, ENTITY)
        return SegmentCount(await service.count(db, principal, definitions, data.definition))

    @get("/{segment_id:uuid}")
    async def get_segment(
        self,
        segment_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    ) -> SegmentOut:
        """The definition with ``count``: the contacts matching it now."""
        segment = await service.get_segment(db, principal, segment_id)
        definitions = await visible_fields(db, principal, plugin_fields, ENTITY)
        found = await service.count(db, principal, definitions, segment.definition)
        return SegmentOut.of(segment, found)

    @patch("/{segment_id:uuid}")
    async def update_segment(
        self,
        segment_id: FromPath[uuid.UUID],
        data: JSONBody[SegmentPatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
    ) -> SegmentOut:
        """Change only what is sent; ``null`` clears the description."""
        definitions = await visible_fields(db, principal, plugin_fields, ENTITY)
        segment = await service.update_segment(
            db, principal, segment_id, data.changes(), definitions
        )
        return SegmentOut.of(segment)

    @delete("/{segment_id:uuid}", status_code=204)
    async def delete_segment(
        self,
        segment_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        await service.delete_segment(db, principal, segment_id)

    @get("/{segment_id:uuid}/contacts")
    async def segment_contacts(
        self,
        segment_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
        count: Annotated[
            bool, QueryParameter(description="true: also count every matching contact")
        ] = False,
        locale: Locale = None,
    ) -> SegmentContactList:
        """The contacts matching the segment now, newest first, in the contact list's row
        shape and cursors."""
        segment = await service.get_segment(db, principal, segment_id)
        definitions = await visible_fields(db, principal, plugin_fields, ENTITY)
        page = await service.contacts_page(
            db, principal, definitions, segment.definition, records.read_shape(),
            cursor=cursor, limit=limit,
        )
        shown = [records.read(row) for row in page.items]
        items = await contacts_out(db, principal, definitions, shown, locale)
        total = (
            await service.count(db, principal, definitions, segment.definition)
            if count else None
        )
        return SegmentContactList(items, page.next_cursor, total)
