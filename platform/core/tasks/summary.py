"""The contact view's ``open_tasks`` section as one SQL expression, selected together with
the other areas' sections (``ContactSummaryQuery.later``)."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from rapport.core import audit
from rapport.core.tasks.service import open_tasks_statement
from rapport.hooks import summary_parameters

LIMIT = 20


@functools.cache
def open_tasks_json() -> Any:
    """``open_tasks_statement``'s rows as one JSON array of arrays, in its order (built
    once, on the summary parameters)."""
    tenant_id, contact_id = summary_parameters()
    rows = open_tasks_statement(tenant_id, contact_id, LIMIT).subquery()
    return (
        select(func.coalesce(
            func.json_agg(aggregate_order_by(
                func.json_build_array(rows.c.id, rows.c.title, rows.c.due_at,
                                      rows.c.assignee_id, rows.c.deal_id),
                rows.c.due_at.asc().nulls_last(), rows.c.id,
            )),
            literal_column("'[]'::json"),
        ))
        .scalar_subquery()
    )


def open_tasks_section(rows: list[list[Any]]) -> dict[str, Any]:
    """The same dicts as ``service.open_tasks`` (times re-read, so they print alike)."""
    return {"open_tasks": [
        audit.jsonable({"id": task_id, "title": title,
                        "due_at": None if due is None else datetime.fromisoformat(due),
                        "assignee_id": assignee, "deal_id": deal})
        for task_id, title, due, assignee, deal in rows
    ]}
