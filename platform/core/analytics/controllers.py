"""HTTP doors of analytics: start a recompute, follow its job, read a contact's classes,
the tenant's summary and the class changes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.analytics import jobs, service
from rapport.core.analytics.schemas import (
    ChangeList,
    ChangeOut,
    ContactClassesOut,
    JobOut,
    RecomputeIn,
    SummaryOut,
)
from rapport.core.pagination import MAX_CURSOR, MAX_LIMIT
from rapport.tenancy.principal import Principal


class AnalyticsController(Controller):
    path = "/api/v1/analytics"
    tags = ["analytics"]

    @post("/recompute", status_code=202)
    async def recompute(
        self,
        data: JSONBody[RecomputeIn],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> JobOut:
        """Queue a recompute of RFM, ABC, XYZ and CLV (owners and admins); the worker runs
        it — follow it at ``/api/v1/analytics/jobs/{id}``. A period without purchases, bad
        settings and an unknown class are 422s naming the setting; 409 while one runs."""
        return JobOut.of(await jobs.start(db, principal, data.sent()))

    @get("/jobs/{job_id:uuid}")
    async def get_job(
        self,
        job_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> JobOut:
        """The job's status, steps done and each step's figures."""
        return JobOut.of(await jobs.get_job(db, principal.tenant_id, job_id))

    @get("/contacts/{contact_id:uuid}")
    async def contact_classes(
        self,
        contact_id: FromPath[uuid.UUID],
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> ContactClassesOut:
        """The contact's RFM scores and cell, ABC and XYZ classes, CLV, and latest class
        changes (nulls before the first recompute or without purchases in the period)."""
        row, changes = await service.contact_classes(db, principal, contact_id)
        return ContactClassesOut.of(contact_id, row, changes)

    @get("/summary")
    async def summary(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
    ) -> SummaryOut:
        """Contacts per class, the ABC-XYZ matrix and the CLV distribution."""
        return SummaryOut.of(await service.summary(db, principal))

    @get("/changes")
    async def changes(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        kind: Annotated[str | None, QueryParameter(
            max_length=10, description="rfm, abc or xyz (422 otherwise)")] = None,
        since: Annotated[datetime | None, QueryParameter()] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=MAX_CURSOR)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 50,
    ) -> ChangeList:
        """Who moved from which class to which and when, newest first."""
        page = await service.changes(db, principal, kind=kind, since=since, cursor=cursor,
                                     limit=limit)
        return ChangeList([ChangeOut.of(c) for c in page.items], page.next_cursor)
