"""HTTP doors of segments: CRUD, the live count of a draft definition, the contacts (paged
or as a file), static snapshots, and the contributed conditions' catalogue."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Stream
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core import audit
from rapport.core.contacts import records
from rapport.core.contacts.controllers import Locale
from rapport.core.contacts.render import contacts_out
from rapport.core.fields.definitions import FieldDefinition
from rapport.core.imports.controllers import EXPORT, ContactFile
from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.core.segments import export, service
from rapport.core.segments.schemas import (
    ConditionList,
    ConditionOut,
    DefinitionIn,
    SegmentContactList,
    SegmentCount,
    SegmentIn,
    SegmentList,
    SegmentOut,
    SegmentPatch,
)
from rapport.hooks import PluginRegistry
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

    @get("/conditions")
    async def list_conditions(
        self, principal: NamedDependency[Principal], registry: NamedDependency[PluginRegistry]
    ) -> ConditionList:
        """Conditions kernel areas and the tenant's enabled plugins contribute (node key,
        title, the JSON schema of the value), beyond the built-in ones."""
        declared = registry.declared("rapport_segment_conditions", principal.modules)
        return ConditionList([
            ConditionOut(c.name, c.title, c.description, owner, c.schema)
            for owner, c in sorted(declared, key=lambda pair: pair[1].name)
        ])

    @post("/", status_code=201)
    async def create_segment(
        self,
        data: JSONBody[SegmentIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        registry: NamedDependency[PluginRegistry],
    ) -> SegmentOut:
        """A dynamic segment, or a static one (``kind``) whose snapshot is taken now; a
        definition that does not compile is a 422 naming where."""
        words = await service.vocabulary(db, principal, plugin_fields, registry)
        segment = await service.create_segment(db, principal, data.values(), words)
        return SegmentOut.of(segment, await _count(db, principal, words, segment))

    @post("/count", status_code=200)
    async def count_definition(
        self,
        data: JSONBody[DefinitionIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        registry: NamedDependency[PluginRegistry],
    ) -> SegmentCount:
        """How many contacts a draft definition matches now (nothing is saved)."""
        words = await service.vocabulary(db, principal, plugin_fields, registry)
        return SegmentCount(await service.count(db, principal, words, data.definition))

    @get("/{segment_id:uuid}")
    async def get_segment(
        self,
        segment_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        registry: NamedDependency[PluginRegistry],
    ) -> SegmentOut:
        """The definition with ``count``: the contacts in it now (a static segment: its
        snapshot's members that are still live)."""
        segment = await service.get_segment(db, principal, segment_id)
        words = await service.vocabulary(db, principal, plugin_fields, registry)
        return SegmentOut.of(segment, await _count(db, principal, words, segment))

    @patch("/{segment_id:uuid}")
    async def update_segment(
        self,
        segment_id: FromPath[uuid.UUID],
        data: JSONBody[SegmentPatch],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        registry: NamedDependency[PluginRegistry],
    ) -> SegmentOut:
        """Change only what is sent; ``null`` clears the description. A static segment's
        members stay until its snapshot is re-taken."""
        words = await service.vocabulary(db, principal, plugin_fields, registry)
        segment = await service.update_segment(db, principal, segment_id, data.changes(), words)
        return SegmentOut.of(segment)

    @delete("/{segment_id:uuid}", status_code=204)
    async def delete_segment(
        self,
        segment_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> None:
        await service.delete_segment(db, principal, segment_id)

    @post("/{segment_id:uuid}/snapshot", status_code=200)
    async def snapshot_segment(
        self,
        segment_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        registry: NamedDependency[PluginRegistry],
    ) -> SegmentOut:
        """Re-take a static segment's snapshot from its definition (the members and
        ``snapshot_at`` replaced in one transaction); 409 for a dynamic segment."""
        words = await service.vocabulary(db, principal, plugin_fields, registry)
        segment, taken = await service.snapshot(db, principal, words, segment_id)
        return SegmentOut.of(segment, taken)

    @get("/{segment_id:uuid}/contacts")
    async def segment_contacts(
        self,
        segment_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        registry: NamedDependency[PluginRegistry],
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
        count: Annotated[
            bool, QueryParameter(description="true: also count every matching contact")
        ] = False,
        locale: Locale = None,
    ) -> SegmentContactList:
        """The contacts in the segment now (a static one: its snapshot), newest first, in
        the contact list's row shape and cursors."""
        segment = await service.get_segment(db, principal, segment_id)
        words = await service.vocabulary(db, principal, plugin_fields, registry)
        condition = await service.segment_condition(db, principal, words, segment)
        page = await service.contacts_page(
            db, condition, records.read_shape(), cursor=cursor, limit=limit
        )
        shown = [records.read(row) for row in page.items]
        items = await contacts_out(db, principal, words.definitions, shown, locale)
        total = await service.count_where(db, condition) if count else None
        return SegmentContactList(items, page.next_cursor, total)

    @get("/{segment_id:uuid}/export", operation_class=ContactFile)
    async def export_segment(
        self,
        request: Request[Any, Any, Any],
        segment_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        plugin_fields: NamedDependency[Sequence[FieldDefinition]],
        registry: NamedDependency[PluginRegistry],
        file_format: Annotated[
            Literal["csv", "jsonl"], QueryParameter(name="format", description="csv or jsonl")
        ] = "csv",
    ) -> Stream:
        """The segment's contacts, streamed with the contact export's columns (the import's:
        the file imports back). Not for viewers: bulk data leaves the system, and each
        export is in the audit log."""
        principal.require_writer()
        segment = await service.get_segment(db, principal, segment_id)
        words = await service.vocabulary(db, principal, plugin_fields, registry)
        condition = await service.segment_condition(db, principal, words, segment)
        await audit.record(db, principal, EXPORT, service.RECORD_TYPE, segment.id,
                           detail={"format": file_format, "kind": segment.kind})
        body = export.stream(
            request.app.state.sessionmaker, principal.tenant_id, principal.user_id,
            words.definitions, file_format, condition,
        )
        return Stream(
            body,
            media_type=export.MEDIA_TYPES[file_format],
            headers={"Content-Disposition":
                     f'attachment; filename="segment-{segment.id}.{file_format}"'},
        )


async def _count(
    db: AsyncSession, principal: Principal, words: service.Vocabulary, segment: Any
) -> int:
    return await service.count_where(
        db, await service.segment_condition(db, principal, words, segment)
    )
