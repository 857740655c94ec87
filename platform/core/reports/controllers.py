"""HTTP doors of management reports."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.openapi.spec import (
    OpenAPIFormat,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Schema,
)
from litestar.params import QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.reports import members, teams
from rapport.core.reports.activity import activity_report
from rapport.core.reports.schemas import ActivityReport, MembersReport
from rapport.hooks import PluginRegistry
from rapport.tenancy.principal import Principal

# Taken as text and read by members.period, so a bad date is a 422 naming from or to.
From = Annotated[
    str | None,
    QueryParameter(name="from", format=OpenAPIFormat.DATE, description="First day "
                   "(YYYY-MM-DD, inclusive, UTC); default 29 days before to"),
]
To = Annotated[
    str | None,
    QueryParameter(name="to", format=OpenAPIFormat.DATE,
                   description="Last day (YYYY-MM-DD, inclusive, UTC); default today"),
]

Group = Annotated[
    Literal["member", "team"],
    QueryParameter(description="member: a row per member; team: also ``teams``, the "
                   "members' figures summed per team (the export: a row per team)"),
]


@dataclass
class ReportFile(Operation):
    """The CSV export's answer."""

    def __post_init__(self) -> None:
        text = Schema(type=OpenAPIType.STRING)
        self.responses = {**(self.responses or {}), "200": OpenAPIResponse(
            description="The members' report, one member (or, with group=team, one team) "
            "per row, with a header",
            headers={"Content-Disposition": OpenAPIHeader(schema=text)},
            content={"text/csv": OpenAPIMediaType(schema=text)},
        )}


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

    @get("/members")
    async def member_results(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        registry: NamedDependency[PluginRegistry],
        since: From = None,
        until: To = None,
        group: Group = "member",
    ) -> MembersReport:
        """Per member over the days ``from``..``to``: interactions by kind and channel,
        deals opened, won and lost, revenue won per currency, tasks done and overdue, the
        conversion at each step, the enabled plugins' measures, and whether the member is
        busy while results lag (``activity_without_results``). Owners and admins see every
        member; anyone else gets only their own row (``scope: own``). ``group=team`` adds
        ``teams``: the same figures summed per team (GET /api/v1/teams)."""
        report = await members.members_report(
            db, principal, members.measures_for(registry, principal), since=since, until=until
        )
        if group == "team":
            await teams.by_team(db, principal, report)
        return report

    @get("/members/export", operation_class=ReportFile)
    async def members_export(
        self,
        principal: NamedDependency[Principal],
        db: NamedDependency[AsyncSession],
        registry: NamedDependency[PluginRegistry],
        since: From = None,
        until: To = None,
        group: Group = "member",
    ) -> Response[str]:
        """The members' report as CSV (the same rows and rules as ``/members``); with
        ``group=team`` one row per team."""
        report = await members.members_report(
            db, principal, members.measures_for(registry, principal), since=since, until=until
        )
        out = io.StringIO()
        if group == "team":
            await teams.by_team(db, principal, report)
            csv.writer(out).writerows(teams.csv_rows(report))
        else:
            csv.writer(out).writerows(members.csv_rows(report))
        name = f"{'teams' if group == 'team' else 'members'}-{report.since}-{report.until}.csv"
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
