"""The analysis classes as fields of the contact list's own filter grammar
(``rapport_contact_filters``): ``analytics.abc:eq:A``, ``analytics.rfm:in:at_risk,lost``,
``analytics.r:gte:4``, ``analytics.clv:gte:500`` — so the list, its saved views, its export
and segments' ``filter`` nodes select by class like by any other field. Each is one read
of ``contact_analytics`` (the last recompute), indexed by ``(tenant_id, rfm|abc|xyz)``."""

from __future__ import annotations

import uuid
from typing import Any, get_args

from sqlalchemy import select

from rapport.core.analytics.conditions import Cell
from rapport.core.analytics.models import ContactAnalytics
from rapport.hooks import ContactFilter
from rapport.hooks.filters import CHOICE, DECIMAL, INTEGER

CELLS = tuple(get_args(Cell))


def _column(name: str) -> Any:
    column = getattr(ContactAnalytics, name)

    def rows(tenant_id: uuid.UUID) -> Any:
        return select(ContactAnalytics.contact_id, column.label("value")).where(
            ContactAnalytics.tenant_id == tenant_id
        )

    return rows


def _score(letter: str, en: str, uk: str, ru: str) -> ContactFilter:
    return ContactFilter(
        name=f"analytics.{letter}", labels={"en": en, "uk": uk, "ru": ru},
        value_type=INTEGER, rows=_column(letter),
        description=f"The RFM {en.split()[-1].lower()} score (1 to the recompute's bins, "
        "higher is better).",
    )


FILTERS = [
    ContactFilter(
        name="analytics.rfm", labels={"en": "RFM cell", "uk": "Сегмент RFM",
                                      "ru": "Сегмент RFM"},
        value_type=CHOICE, choices=CELLS, rows=_column("rfm"),
        description="The named RFM cell of the last recompute (champions, at_risk …).",
    ),
    _score("r", "RFM recency", "RFM давність", "RFM давность"),
    _score("f", "RFM frequency", "RFM частота", "RFM частота"),
    _score("m", "RFM monetary", "RFM сума", "RFM сумма"),
    ContactFilter(
        name="analytics.abc", labels={"en": "ABC class", "uk": "Клас ABC", "ru": "Класс ABC"},
        value_type=CHOICE, choices=("A", "B", "C"), rows=_column("abc"),
        description="The Pareto class by revenue in the period (A: the top 80 %).",
    ),
    ContactFilter(
        name="analytics.xyz", labels={"en": "XYZ class", "uk": "Клас XYZ", "ru": "Класс XYZ"},
        value_type=CHOICE, choices=("X", "Y", "Z"), rows=_column("xyz"),
        description="How steady the spending is (X steady, Y variable, Z erratic).",
    ),
    ContactFilter(
        name="analytics.clv", labels={"en": "Lifetime value", "uk": "Цінність клієнта (CLV)",
                                      "ru": "Ценность клиента (CLV)"},
        value_type=DECIMAL, rows=_column("clv"), ops=("lt", "lte", "gt", "gte", "is_empty"),
        description="The expected spend over the CLV horizon, in the recompute's currency.",
    ),
]
