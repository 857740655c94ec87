"""A contact's timeline: every module's entries about one person, newest first.

The kernel does not know the record types; each enabled plugin answers the
``rapport_timeline`` hook and the entries are merged by time.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.contacts.service import get_contact
from rapport.hooks import TenantHooks, TimelineEntry, TimelineQuery
from rapport.tenancy.principal import Principal


class TimelineItem(msgspec.Struct):
    at: datetime
    kind: str
    title: str
    summary: str
    record_type: str
    record_id: uuid.UUID
    source: str
    data: dict[str, Any]


class Timeline(msgspec.Struct):
    items: list[TimelineItem]
    next_before: datetime | None


async def timeline(
    db: AsyncSession,
    principal: Principal,
    hooks: TenantHooks,
    contact_id: uuid.UUID,
    *,
    before: datetime | None,
    limit: int,
) -> Timeline:
    await get_contact(db, principal, contact_id)  # 404 outside the tenant
    query = TimelineQuery(principal.tenant_id, contact_id, db, principal, before, limit + 1)
    entries: list[TimelineEntry] = []
    for plugin, answer in await hooks.call_each("rapport_timeline", query=query):
        entries.extend(e if e.source else msgspec.structs.replace(e, source=plugin)
                       for e in answer)
    entries.sort(key=lambda e: (e.at, str(e.record_id)), reverse=True)
    page = entries[:limit]
    more = len(entries) > limit
    items = [
        TimelineItem(e.at, e.kind, e.title, e.summary, e.record_type, e.record_id,
                     e.source, dict(e.data))
        for e in page
    ]
    return Timeline(items, page[-1].at if more and page else None)


class TimelineController(Controller):
    path = "/api/v1/contacts/{contact_id:uuid}/timeline"
    tags = ["contacts"]

    @get("/")
    async def get_timeline(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
        before: FromQuery[datetime | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> Timeline:
        """Everything that happened with this person, newest first; page with ``before``."""
        return await timeline(db, principal, hooks, contact_id, before=before, limit=limit)
