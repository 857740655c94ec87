"""Segment conditions education contributes (``rapport_segment_conditions``):
``{"education.outcome": {"code": "PY-1", "min_level": 3}}`` — learners holding an outcome
now (at least at that level, not expired): "offer the advanced course to those who hold the
basics", or with ``not``, "those who have not learned it yet"."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from sqlalchemy import func, or_, select

from rapport.sdk import ConditionQuery, SegmentCondition
from rapport_plugins.education.models import Holding, Learner, Outcome

Code = Annotated[str, msgspec.Meta(min_length=1, max_length=40, pattern=r"^[^\x00]*$")]
Level = Annotated[int, msgspec.Meta(ge=1, le=5)]


class OutcomeValue(msgspec.Struct, forbid_unknown_fields=True):
    """An outcome of the institution's framework by its code; ``min_level`` 1-5."""

    code: Code
    min_level: Level = 1


def _outcome_held(query: ConditionQuery) -> Any:
    value: OutcomeValue = query.value
    outcomes = select(Outcome.id).where(
        Outcome.tenant_id == query.tenant_id, Outcome.code == value.code
    )
    learners = (
        select(Learner.contact_id)
        .join(Holding, (Holding.tenant_id == Learner.tenant_id)
              & (Holding.learner_id == Learner.id))
        .where(
            Learner.tenant_id == query.tenant_id,
            Holding.tenant_id == query.tenant_id,
            Holding.outcome_id.in_(outcomes),
            Holding.level >= value.min_level,
            or_(Holding.expires_on.is_(None), Holding.expires_on >= func.current_date()),
        )
    )
    return query.contact_id.in_(learners)


CONDITIONS = [
    SegmentCondition(
        name="education.outcome", title="Outcome held", value_type=OutcomeValue,
        build=_outcome_held,
        description="Learners holding this outcome now, at least at min_level, unexpired.",
    ),
]
