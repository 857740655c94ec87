"""Statements built once and run without the session's automatic tenant criteria
(``PREFILTERED``, for speed) must filter every tenant-owned table by the tenant
themselves; forced RLS is the second lock either way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql

from rapport.core.contacts import listing, records, view
from rapport.core.deals.summary import open_deals_json
from rapport.core.interactions.colleagues import colleagues_json
from rapport.core.tasks.summary import open_tasks_json
from rapport.db.base import Base, TenantScoped
from rapport.web.auth import _principal_statement

TENANT_TABLES = {m.class_.__table__.name for m in Base.registry.mappers
                 if issubclass(m.class_, TenantScoped)}


def _sql(statement: Any) -> str:
    return str(statement.compile(dialect=postgresql.dialect()))


@pytest.mark.parametrize("statement", [
    _principal_statement(), records._one(False), records._one(True), records._page_lists(),
    view._page_statement(view._page_contact_columns(),
                         (open_tasks_json(), open_deals_json(), colleagues_json())),
    listing.plain_statement(records.read_shape(), False),
    listing.plain_statement(records.read_shape(), True),
], ids=["principal", "contact", "contact for update", "page lists", "contact page", "list page",
        "list page after a cursor"])
def test_every_tenant_table_is_filtered_by_the_tenant(statement):
    sql = _sql(statement)
    named = set(re.findall(r"\bFROM (\w+)|\bJOIN (\w+)", sql))
    tables = {t for pair in named for t in pair if t} & TENANT_TABLES
    assert tables, sql
    for table in tables:
        # Every occurrence of the table is scoped by a tenant parameter or joined on the
        # tenant of a row that is.
        assert re.search(rf"\b{table}\.tenant_id = (%\(\w*tenant\w*\)s|\w+\.tenant_id)", sql), (
            table, sql)
