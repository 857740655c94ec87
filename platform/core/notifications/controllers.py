"""HTTP doors of notifications: the caller's own, newest first; mark one or all read."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.notifications import service
from rapport.core.notifications.schemas import NotificationList, NotificationOut, ReadAll
from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.tenancy.principal import Principal


class NotificationController(Controller):
    path = "/api/v1/notifications"
    tags = ["notifications"]

    @get("/")
    async def list_notifications(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        unread: Annotated[
            bool | None, QueryParameter(description="true: only unread; false: only read")
        ] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> NotificationList:
        """The caller's notifications, newest first; pass ``next_cursor`` back as ``cursor``."""
        page = await service.list_notifications(
            db, principal, unread=unread, cursor=cursor, limit=limit
        )
        return NotificationList(
            [NotificationOut.of(n) for n in page.items], page.next_cursor, page.unread_count
        )

    @post("/{notification_id:uuid}/read", status_code=200)
    async def mark_read(
        self,
        notification_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> NotificationOut:
        """Read now; marking a read notification again changes nothing."""
        return NotificationOut.of(await service.mark_read(db, principal, notification_id))

    @post("/read-all", status_code=200)
    async def mark_all_read(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> ReadAll:
        """Every unread notification of the caller's; answers how many were marked."""
        return ReadAll(await service.mark_all_read(db, principal))
