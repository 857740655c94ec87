"""The dealership's columns in the members' report (``rapport_member_measures``): promises
kept and broken, by who made them, decided within the period."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from rapport.sdk import MeasureQuery, MemberMeasure
from rapport_plugins.dealership.models import Promise


def _decided(status: str) -> Any:
    def build(q: MeasureQuery) -> Any:
        return (
            select(Promise.promised_by.label("member_id"), func.count().label("value"))
            .where(Promise.tenant_id == q.tenant_id, Promise.status == status,
                   Promise.decided_at >= q.since, Promise.decided_at < q.until)
            .group_by(Promise.promised_by)
        )
    return build


MEASURES = [
    MemberMeasure(
        name="dealership.promises_kept",
        labels={"en": "Promises kept", "uk": "Обіцянки виконано", "ru": "Обещания выполнены"},
        build=_decided("kept"),
        description="Promises the member made that were decided kept within the period.",
    ),
    MemberMeasure(
        name="dealership.promises_broken",
        labels={"en": "Promises broken", "uk": "Обіцянки порушено", "ru": "Обещания нарушены"},
        build=_decided("broken"),
        higher_is_better=False,
        description="Promises the member made that were decided broken within the period.",
    ),
]
