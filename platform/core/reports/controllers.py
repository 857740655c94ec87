"""HTTP doors of management reports."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.reports.activity import activity_report
from rapport.core.reports.schemas import ActivityReport
from rapport.tenancy.principal import Principal


class ReportsController(Controller):
    path = "/api/v1/reports"
    tags = ["reports"]

    @get("/activity")
    async def activity(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        since: Annotated[
            datetime | None,
            QueryParameter(description="Start (inclusive); default 30 days before until"),
        ] = None,
        until: Annotated[
            datetime | None, QueryParameter(description="End (exclusive); default now")
        ] = None,
    ) -> ActivityReport:
        """Per employee: interactions by kind, contacts touched, and purchases that followed
        within 30 days. Owners and admins only."""
        return await activity_report(db, principal, since=since, until=until)
