"""The contact view's ``open_deals`` section as one SQL expression, selected together with
the other areas' sections (``ContactSummaryQuery.later``)."""

from __future__ import annotations

import functools
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Text, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from rapport.core import audit
from rapport.core.deals.service import open_deals_statement
from rapport.core.transactions import money
from rapport.hooks import summary_parameters

LIMIT = 20


@functools.cache
def open_deals_json() -> Any:
    """``open_deals_statement``'s rows as one JSON array of arrays, newest first (amounts
    as text: a JSON number would go through a float); built once, on the summary
    parameters."""
    tenant_id, contact_id = summary_parameters()
    rows = open_deals_statement(tenant_id, contact_id, LIMIT).subquery()
    return (
        select(func.coalesce(
            func.json_agg(aggregate_order_by(
                func.json_build_array(rows.c.id, rows.c.title, rows.c.stage,
                                      cast(rows.c.amount, Text), rows.c.currency,
                                      rows.c.expected_close_date, rows.c.owner_id),
                rows.c.id.desc(),
            )),
            literal_column("'[]'::json"),
        ))
        .scalar_subquery()
    )


def open_deals_section(rows: list[list[Any]]) -> dict[str, Any]:
    """The same dicts as ``service.open_deals``."""
    return {"open_deals": [
        {
            "id": deal_id,
            "title": title,
            "stage": stage,
            "amount": None if amount is None else money.as_text(Decimal(amount), currency),
            "currency": currency,
            "expected_close_date": audit.jsonable(
                None if closes is None else date.fromisoformat(closes)),
            "owner_id": owner,
        }
        for deal_id, title, stage, amount, currency, closes, owner in rows
    ]}
