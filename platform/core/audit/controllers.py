"""HTTP door of the audit log."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.audit import service
from rapport.core.audit.schemas import AuditEventOut, AuditList
from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.tenancy.principal import Principal


class AuditController(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]

    @get("/")
    async def list_audit(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        record_type: Annotated[
            str | None, QueryParameter(pattern=service.RECORD_TYPE_PATTERN, max_length=100)
        ] = None,
        record_id: FromQuery[uuid.UUID | None] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> AuditList:
        """Newest first; owners and admins only. ``record_id`` needs ``record_type``.
        Pass ``next_cursor`` back as ``cursor`` for the next page."""
        page = await service.history(
            db,
            principal,
            record_type=record_type,
            record_id=record_id,
            cursor=cursor,
            limit=limit,
        )
        return AuditList([AuditEventOut.of(e) for e in page.items], page.next_cursor)
