"""Analytics shapes at the edge. Ranges and cross-field rules of the recompute's settings
are checked by ``parameters.resolve`` (422 naming the setting), and described here."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

import msgspec

from rapport.core.analytics.models import AnalyticsJob, ClassChange, ContactAnalytics

Unset = msgspec.UnsetType
UNSET = msgspec.UNSET


class RecomputeIn(msgspec.Struct, forbid_unknown_fields=True):
    """Settings left out keep the tenant's (its last completed recompute's), else the
    defaults; see docs/analytics.md."""

    currency: str | Unset | None = msgspec.field(default=UNSET)
    until: datetime | Unset | None = UNSET
    period_days: int | Unset = UNSET
    classes: list[Literal["rfm", "abc", "xyz", "clv"]] | Unset = UNSET
    rfm_bins: int | Unset = UNSET
    abc_a: float | Unset = UNSET
    abc_b: float | Unset = UNSET
    xyz_period: Literal["week", "month", "quarter"] | Unset = UNSET
    xyz_x: float | Unset = UNSET
    xyz_y: float | Unset = UNSET
    clv_horizon_months: int | Unset = UNSET
    clv_holdout_days: int | Unset = UNSET
    clv_min_repeaters: int | Unset = UNSET

    def sent(self) -> dict[str, Any]:
        values = {f: getattr(self, f) for f in self.__struct_fields__
                  if getattr(self, f) is not UNSET}
        if isinstance(values.get("until"), datetime):
            values["until"] = values["until"].isoformat()
        return values


class JobOut(msgspec.Struct):
    id: uuid.UUID
    status: Literal["queued", "running", "completed", "failed"]
    parameters: dict[str, Any]
    steps: list[str]
    steps_done: int
    # Done share of the steps, 0-1.
    progress: float
    # The step running or next (null when finished).
    current_step: str | None
    results: dict[str, Any]
    failure: str | None
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, job: AnalyticsJob) -> JobOut:
        total = len(job.steps)
        return cls(
            id=job.id, status=job.status, parameters=job.parameters, steps=job.steps,  # type: ignore[arg-type]
            steps_done=job.steps_done, progress=round(job.steps_done / total, 4) if total else 1.0,
            current_step=job.steps[job.steps_done] if job.steps_done < total else None,
            results=job.results, failure=job.failure, created_at=job.created_at,
            updated_at=job.updated_at, finished_at=job.finished_at,
        )


class RfmOut(msgspec.Struct):
    r: int
    f: int
    m: int
    segment: str
    recency_days: int
    frequency: int
    monetary: Decimal


class ClvOut(msgspec.Struct):
    value: Decimal
    expected_purchases: Decimal | None
    method: Literal["bgnbd", "average"]


class ChangeOut(msgspec.Struct):
    id: uuid.UUID
    contact_id: uuid.UUID
    kind: Literal["rfm", "abc", "xyz"]
    before: str | None
    after: str | None
    job_id: uuid.UUID
    at: datetime

    @classmethod
    def of(cls, change: ClassChange) -> ChangeOut:
        return cls(change.id, change.contact_id, change.kind, change.before,  # type: ignore[arg-type]
                   change.after, change.job_id, change.created_at)


class ContactClassesOut(msgspec.Struct):
    contact_id: uuid.UUID
    # The currency the classes were computed in (null before any recompute).
    currency: str | None
    rfm: RfmOut | None
    abc: Literal["A", "B", "C"] | None
    revenue_share: Decimal | None
    xyz: Literal["X", "Y", "Z"] | None
    variation: Decimal | None
    clv: ClvOut | None
    updated_at: datetime | None
    # The latest class changes, newest first.
    history: list[ChangeOut]

    @classmethod
    def of(cls, contact_id: uuid.UUID, row: ContactAnalytics | None,
           changes: list[ClassChange]) -> ContactClassesOut:
        history = [ChangeOut.of(c) for c in changes]
        if row is None:
            return cls(contact_id, None, None, None, None, None, None, None, None, history)
        rfm = None
        if row.rfm is not None:
            rfm = RfmOut(row.r or 0, row.f or 0, row.m or 0, row.rfm, row.recency_days or 0,
                         row.frequency or 0, row.monetary or Decimal(0))
        clv = None if row.clv is None else ClvOut(row.clv, row.expected_purchases,
                                                  row.clv_method)  # type: ignore[arg-type]
        return cls(contact_id, row.currency, rfm, row.abc,  # type: ignore[arg-type]
                   row.revenue_share, row.xyz,  # type: ignore[arg-type]
                   row.variation, clv, row.updated_at, history)


class HistogramBar(msgspec.Struct):
    from_: str = msgspec.field(name="from")
    to: str = ""
    count: int = 0


class ClvSummary(msgspec.Struct):
    customers: int
    total: str | None
    mean: str | None
    percentiles: dict[str, str] | None
    histogram: list[HistogramBar]


class SummaryOut(msgspec.Struct):
    # The last completed recompute (null before the first).
    job: JobOut | None
    # Contacts per class: {"rfm": {"champions": n, …}, "abc": {"A": n, …}, "xyz": {…}}.
    counts: dict[str, dict[str, int]]
    # ABC x XYZ: {"A": {"X": n, "Y": n, "Z": n}, "B": {…}, "C": {…}}.
    matrix: dict[str, dict[str, int]]
    clv: ClvSummary

    @classmethod
    def of(cls, found: dict[str, Any]) -> SummaryOut:
        clv = found["clv"]
        return cls(
            job=None if found["job"] is None else JobOut.of(found["job"]),
            counts=found["counts"], matrix=found["matrix"],
            clv=ClvSummary(clv["customers"], clv["total"], clv["mean"], clv["percentiles"],
                           [HistogramBar(b["from"], b["to"], b["count"])
                            for b in clv["histogram"]]),
        )


class ChangeList(msgspec.Struct):
    items: list[ChangeOut]
    next_cursor: str | None
