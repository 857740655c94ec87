"""Audit entries at the edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from rapport.core.audit.models import AuditEvent
from rapport.fieldtypes import documented

Changes = Annotated[dict[str, list[Any]], documented(
    "What changed, by field: `[before, after]`, null on the side where the field was "
    "absent (a creation has null befores, a deletion null afters). The values are the "
    "record's own, as JSON.",
    additional_properties={"type": "array", "items": {}, "minItems": 2, "maxItems": 2},
)]
Detail = Annotated[dict[str, Any], documented(
    "Open by design: what the action adds beyond `changes` (a merge names the contact "
    "merged away, a read the grant used, a plugin's action what it chooses); its members "
    "depend on `action`."
)]


class AuditEventOut(msgspec.Struct):
    id: uuid.UUID
    at: datetime
    tenant_id: uuid.UUID
    actor_user_id: uuid.UUID | None
    actor_tenant_id: uuid.UUID
    action: str
    record_type: str
    record_id: uuid.UUID
    changes: Changes
    detail: Detail
    counterpart_tenant_id: uuid.UUID | None
    # The API client whose token did it (then ``actor_user_id`` is null).
    actor_client_id: uuid.UUID | None = None

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
            e.actor_client_id,
        )


class AuditList(msgspec.Struct):
    items: list[AuditEventOut]
    next_cursor: str | None
