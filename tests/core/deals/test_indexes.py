"""The deal list's filters and the open-deals section use their indexes, as the app role
under forced RLS, over 20 000 deals."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.dialects import postgresql

from rapport.core.deals.service import open_deals_statement
from tests.conftest import TenantHandle, sign_up
from tests.core.deals.support import (
    analyze,
    assert_index_scan,
    bulk,
    contact,
    explain,
    plan_of,
)

ROWS = 20_000


@pytest.fixture(scope="module")
def busy(client, database) -> tuple[TenantHandle, str]:
    tenant = sign_up(client)
    buyer = contact(client, tenant, "Busy buyer")
    bulk(
        database, tenant.id,
        "INSERT INTO deals (tenant_id, id, title, stage, contact_id)"
        " SELECT %(tenant)s, uuidv7(), 'Deal ' || g,"
        " CASE WHEN g %% 1000 = 0 THEN 'negotiation' ELSE 'lead' END,"
        " CASE WHEN g %% 2000 = 0 THEN %(buyer)s::uuid END"
        " FROM generate_series(1, %(rows)s) g",
        {"buyer": buyer, "rows": ROWS},
    )
    analyze(database, "deals", "workflow_stages")
    return tenant, buyer


def test_stage_filter_walks_the_stage_index(client, database, busy):
    tenant, _ = busy
    plan = plan_of(client, database, tenant, "/api/v1/deals?stage=negotiation", "deals")
    assert_index_scan(plan, "ix_deals_tenant_id_stage_id")


def test_contact_filter_walks_the_contact_index(client, database, busy):
    tenant, buyer = busy
    plan = plan_of(client, database, tenant, f"/api/v1/deals?contact_id={buyer}", "deals")
    assert_index_scan(plan, "ix_deals_tenant_id_contact_id_id")


def test_open_deals_section_uses_the_contact_index(database, busy):
    tenant, buyer = busy
    compiled = open_deals_statement(uuid.UUID(tenant.id), uuid.UUID(buyer), 20).compile(
        dialect=postgresql.psycopg.dialect(), compile_kwargs={"render_postcompile": True}
    )
    plan = explain(database, tenant.id, str(compiled), compiled.params)
    assert_index_scan(plan, "ix_deals_tenant_id_contact_id_id")
