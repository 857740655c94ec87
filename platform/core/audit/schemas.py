"""Audit entries at the edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import msgspec

from rapport.core.audit.models import AuditEvent


class AuditEventOut(msgspec.Struct):
    id: uuid.UUID
    at: datetime
    tenant_id: uuid.UUID
    actor_user_id: uuid.UUID | None
    actor_tenant_id: uuid.UUID
    action: str
    record_type: str
    record_id: uuid.UUID
    changes: dict[str, Any]
    detail: dict[str, Any]
    counterpart_tenant_id: uuid.UUID | None

    @classmethod
    def of(cls, e: AuditEvent) -> AuditEventOut:
        return cls(
            e.id,
            e.at,
            e.tenant_id,
            e.actor_user_id,
            e.actor_tenant_id,
            e.action,
            e.record_type,
            e.record_id,
            e.changes,
            e.detail,
            e.counterpart_tenant_id,
        )


class AuditList(msgspec.Struct):
    items: list[AuditEventOut]
    next_cursor: str | None
