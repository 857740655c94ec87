"""HTTP doors of the trash: list, restore, purge now."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.pagination import MAX_LIMIT
from rapport.core.trash import service
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal

KindName = Literal["contacts", "deals", "organizations"]


class TrashedOut(msgspec.Struct):
    kind: str
    id: uuid.UUID
    label: str
    deleted_at: datetime
    deleted_by: uuid.UUID | None
    purge_at: datetime


class TrashList(msgspec.Struct):
    items: list[TrashedOut]
    next_cursor: str | None


def _out(item: service.TrashedItem) -> TrashedOut:
    return TrashedOut(item.kind, item.id, item.label, item.deleted_at, item.deleted_by,
                      item.purge_at)


class TrashController(Controller):
    path = "/api/v1/trash"
    tags = ["trash"]

    @get("/")
    async def list_trash(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        kind: Annotated[KindName | None, QueryParameter()] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=1024)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> TrashList:
        """Deleted contacts, deals and organizations, most recently deleted first: who
        deleted each, when, and when the worker will purge it (``RAPPORT_TRASH_DAYS``)."""
        page = await service.list_trash(db, principal, kind=kind, cursor=cursor, limit=limit)
        return TrashList([_out(i) for i in page.items], page.next_cursor)

    @post("/{kind:str}/{record_id:uuid}/restore", status_code=200)
    async def restore(
        self,
        kind: FromPath[KindName],
        record_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> TrashedOut:
        """Back where it was (writers); 409 when a live record took its email or
        external_id meanwhile."""
        return _out(await service.restore(db, principal, kind, record_id, hooks))

    @delete("/{kind:str}/{record_id:uuid}", status_code=204)
    async def purge(
        self,
        kind: FromPath[KindName],
        record_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        hooks: NamedDependency[TenantHooks],
    ) -> None:
        """Deleted for good now (owners and admins)."""
        await service.purge(db, principal, kind, record_id, hooks)
