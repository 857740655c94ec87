"""The clinic's column in the members' report (``rapport_member_measures``): encounters
held (arrived, in progress or finished) within the period, by the member who recorded them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from rapport.sdk import MeasureQuery, MemberMeasure, Membership
from rapport_plugins.medical.models import Encounter

HELD = ("arrived", "in-progress", "finished")


def _encounters(q: MeasureQuery) -> Any:
    return (
        select(Membership.id.label("member_id"), func.count().label("value"))
        .join(Encounter, Encounter.recorded_by == Membership.user_id)
        .where(Membership.tenant_id == q.tenant_id, Encounter.tenant_id == q.tenant_id,
               Encounter.status.in_(HELD),
               Encounter.starts_at >= q.since, Encounter.starts_at < q.until)
        .group_by(Membership.id)
    )


MEASURES = [
    MemberMeasure(
        name="medical.encounters",
        labels={"en": "Encounters", "uk": "Прийоми", "ru": "Приёмы"},
        build=_encounters,
        description="Encounters held (arrived, in progress, finished) in the period.",
    ),
]
