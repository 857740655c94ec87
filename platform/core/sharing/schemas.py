"""Sharing grant shapes at the edge."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

import msgspec

from rapport.db.rls import RECORD_TYPE_PATTERN, SECTION_PATTERN
from rapport.fieldtypes import LongText, Name, Slug
from rapport.tenancy.models import Tenant

if TYPE_CHECKING:
    from rapport.core.sharing.service import GrantView

# An offset is required: a grant's window must not depend on the server's time zone.
Timestamp = Annotated[datetime, msgspec.Meta(tz=True)]
RecordType = Annotated[str, msgspec.Meta(max_length=100, pattern=RECORD_TYPE_PATTERN.pattern)]
Section = Annotated[str, msgspec.Meta(max_length=40, pattern=SECTION_PATTERN.pattern)]
Direction = Literal["outgoing", "incoming"]


class GrantIn(msgspec.Struct, forbid_unknown_fields=True):
    grantee_tenant: Slug
    record_type: RecordType
    record_id: uuid.UUID
    sections: Annotated[list[Section], msgspec.Meta(min_length=1, max_length=50)]
    purpose: Name
    expires_at: Timestamp
    evidence: LongText | None = None
    starts_at: Timestamp | None = None


class TenantRef(msgspec.Struct):
    id: uuid.UUID
    slug: str
    name: str

    @classmethod
    def of(cls, t: Tenant) -> TenantRef:
        return cls(t.id, t.slug, t.name)


class GrantOut(msgspec.Struct):
    id: uuid.UUID
    direction: Direction
    active: bool
    grantor: TenantRef
    grantee: TenantRef
    record_type: str
    record_id: uuid.UUID
    sections: list[str]
    purpose: str
    evidence: str | None
    granted_by: uuid.UUID | None
    starts_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_by: uuid.UUID | None
    created_at: datetime

    @classmethod
    def of(cls, v: GrantView) -> GrantOut:
        g = v.grant
        return cls(
            g.id,
            v.direction,
            v.active,
            TenantRef.of(v.grantor),
            TenantRef.of(v.grantee),
            g.record_type,
            g.record_id,
            list(g.sections),
            g.purpose,
            g.evidence,
            g.granted_by,
            g.starts_at,
            g.expires_at,
            g.revoked_at,
            g.revoked_by,
            g.created_at,
        )


class GrantList(msgspec.Struct):
    items: list[GrantOut]
    next_cursor: str | None
