"""The ``analytics`` segment condition (``rapport_segment_conditions``): contacts by their
stored classes, e.g. ``{"analytics": {"abc": ["A"], "xyz": ["X", "Y"]}}`` or
``{"analytics": {"rfm": ["at_risk", "cannot_lose"], "min_clv": 500}}`` — every key given
must hold; one indexed probe of ``contact_analytics`` inside the segment's statement."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
from sqlalchemy import select

from rapport.core.analytics.models import ContactAnalytics
from rapport.hooks import ConditionQuery, SegmentCondition

Cell = Literal["champions", "loyal", "potential_loyalists", "new_customers", "promising",
               "need_attention", "about_to_sleep", "cannot_lose", "at_risk", "hibernating",
               "lost"]
# A number (JSON has no decimals); compared as the exact decimal it spells.
Amount = Annotated[float, msgspec.Meta(ge=0, le=1e15)]


class ClassesValue(msgspec.Struct, forbid_unknown_fields=True):
    """Any of the listed classes per kind; ``min_clv``/``max_clv`` bound the lifetime value
    (in the currency the classes were computed in)."""

    rfm: Annotated[list[Cell], msgspec.Meta(min_length=1)] | None = None
    abc: Annotated[list[Literal["A", "B", "C"]], msgspec.Meta(min_length=1)] | None = None
    xyz: Annotated[list[Literal["X", "Y", "Z"]], msgspec.Meta(min_length=1)] | None = None
    min_clv: Amount | None = None
    max_clv: Amount | None = None


def _build(query: ConditionQuery) -> Any:
    value: ClassesValue = query.value
    row = ContactAnalytics
    conditions: list[Any] = [row.tenant_id == query.tenant_id]
    for column, wanted in ((row.rfm, value.rfm), (row.abc, value.abc), (row.xyz, value.xyz)):
        if wanted is not None:
            conditions.append(column.in_(wanted))
    if value.min_clv is not None:
        conditions.append(row.clv >= Decimal(str(value.min_clv)))
    if value.max_clv is not None:
        conditions.append(row.clv <= Decimal(str(value.max_clv)))
    if len(conditions) == 1:
        raise ValueError("name at least one of rfm, abc, xyz, min_clv, max_clv")
    if value.min_clv is not None and value.max_clv is not None and value.max_clv < value.min_clv:
        raise ValueError("max_clv must not be below min_clv")
    return query.contact_id.in_(select(row.contact_id).where(*conditions))


CONDITIONS = [
    SegmentCondition(
        name="analytics", title="Analysis classes", value_type=ClassesValue, build=_build,
        description="Contacts by their RFM cell, ABC and XYZ class and lifetime value from "
        "the last recompute (docs/analytics.md).",
    ),
]
