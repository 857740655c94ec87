"""Notification shapes at the edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from rapport.core.notifications.models import Notification
from rapport.fieldtypes import documented


class NotificationOut(msgspec.Struct):
    id: uuid.UUID
    kind: str
    title: str
    record_type: str | None
    record_id: uuid.UUID | None
    data: Annotated[dict[str, Any], documented(
        "Open by design: what the notification's sender attached for its `kind` (an area "
        "or a plugin); `record_type` and `record_id` name the record it is about."
    )]
    read: bool
    read_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, row: Notification) -> NotificationOut:
        return cls(
            id=row.id,
            kind=row.kind,
            title=row.title,
            record_type=row.record_type,
            record_id=row.record_id,
            data=dict(row.data or {}),
            read=row.read_at is not None,
            read_at=row.read_at,
            created_at=row.created_at,
        )


class NotificationList(msgspec.Struct):
    items: list[NotificationOut]
    next_cursor: str | None
    # All of the caller's unread notifications, not only this page's (a badge count).
    unread_count: int


class ReadAll(msgspec.Struct):
    marked: int
