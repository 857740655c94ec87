"""``/reports``: kept-rate, calibration, deposits held on late orders (managers)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from rapport.sdk import Principal
from rapport_plugins.dealership import daily, reports
from rapport_plugins.dealership.catalogue import settings_of
from rapport_plugins.dealership.roles import require_manager
from rapport_plugins.dealership.schemas import (
    CalibrationReport,
    DailyNumbers,
    LateDepositReport,
    PromiseReport,
)
from rapport_plugins.dealership.scope import scope_of

From = Annotated[date, QueryParameter(name="from", description="First day (due date)")]
To = Annotated[date, QueryParameter(name="to", description="Last day, inclusive")]


class ReportController(Controller):
    path = "/reports"

    @get("/promises")
    async def promises(self, principal: NamedDependency[Principal],
                       db: NamedDependency[AsyncSession], from_: From, to: To,
                       group_by: FromQuery[Literal["member", "branch", "kind"]] = "member",
                       ) -> PromiseReport:
        """Promises due in the period, per salesperson, branch or kind: counts by status,
        kept-rate (kept of kept + broken), the mean stated probability and the Brier score."""
        require_manager(principal)
        branch = (await scope_of(db, principal)).branch
        rows = await reports.promise_report(db, principal.tenant_id, group_by, from_, to,
                                            branch)
        return PromiseReport(group_by, from_, to, rows)

    @get("/calibration")
    async def calibration(self, principal: NamedDependency[Principal],
                          db: NamedDependency[AsyncSession], from_: From,
                          to: To) -> CalibrationReport:
        """For promises stated at each probability band, the share kept; per salesperson
        the Brier score (0 is perfect; over-promisers score high)."""
        require_manager(principal)
        branch = (await scope_of(db, principal)).branch
        buckets, members = await reports.calibration(db, principal.tenant_id, from_, to,
                                                     branch)
        return CalibrationReport(from_, to, buckets, members)

    @get("/daily")
    async def daily(self, principal: NamedDependency[Principal],
                    db: NamedDependency[AsyncSession],
                    day: FromQuery[date | None] = None) -> DailyNumbers:
        """The sales manager's day (default today, UTC): quotes, deposits, deals closed and
        the closing ratio, traffic and appointments set, due and shown, deliveries with front
        gross, back gross, open orders late. A branch manager: their branch."""
        require_manager(principal)
        settings = await settings_of(db, principal)
        return await daily.numbers(db, principal.tenant_id, day or datetime.now(UTC).date(),
                                   settings.currency, (await scope_of(db, principal)).branch)

    @get("/late-deposits")
    async def late_deposits(self, principal: NamedDependency[Principal],
                            db: NamedDependency[AsyncSession]) -> LateDepositReport:
        """Orders past their expected delivery date that still hold a deposit."""
        require_manager(principal)
        branch = (await scope_of(db, principal)).branch
        return LateDepositReport(await reports.late_deposits(db, principal.tenant_id, branch))
