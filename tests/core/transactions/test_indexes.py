"""Transaction lists use the (tenant_id, <filter>, occurred_at, id) indexes, cursor included,
as the app role under forced RLS, over 20 000 transactions."""

from __future__ import annotations

import pytest

from tests.conftest import TenantHandle, sign_up
from tests.core.deals.support import analyze, assert_index_scan, bulk, contact, plan_of

ROWS = 20_000


@pytest.fixture(scope="module")
def busy(client, database) -> tuple[TenantHandle, str]:
    tenant = sign_up(client)
    buyer = contact(client, tenant, "Regular")
    bulk(
        database, tenant.id,
        "INSERT INTO transactions (tenant_id, id, kind, amount, currency, occurred_at, channel,"
        " contact_id)"
        " SELECT %(tenant)s, uuidv7(), 'purchase', g %% 100, 'EUR',"
        " timestamptz '2031-01-01' + g * interval '1 minute',"
        " CASE WHEN g %% 1000 = 0 THEN 'web' ELSE 'store' END,"
        " CASE WHEN g %% 1000 = 1 THEN %(buyer)s::uuid END"
        " FROM generate_series(1, %(rows)s) g",
        {"buyer": buyer, "rows": ROWS},
    )
    analyze(database, "transactions")
    return tenant, buyer


def test_a_contacts_purchases_use_the_contact_index(client, database, busy):
    tenant, buyer = busy
    path = f"/api/v1/transactions?contact_id={buyer}"
    plan = plan_of(client, database, tenant, path, "transactions")
    assert_index_scan(plan, "ix_transactions_tenant_id_contact_id_occurred_at_id")


def test_a_channel_page_after_a_cursor_uses_the_channel_index(client, database, busy):
    tenant, _ = busy
    first = client.get("/api/v1/transactions?channel=web&limit=2", headers=tenant.headers).json()
    path = f"/api/v1/transactions?channel=web&limit=2&cursor={first['next_cursor']}"
    plan = plan_of(client, database, tenant, path, "transactions")
    assert_index_scan(plan, "ix_transactions_tenant_id_channel_occurred_at_id")


def test_a_time_window_uses_the_time_index(client, database, busy):
    tenant, _ = busy
    path = "/api/v1/transactions?since=2031-01-05T00:00:00Z&until=2031-01-05T02:00:00Z"
    plan = plan_of(client, database, tenant, path, "transactions")
    assert_index_scan(plan, "ix_transactions_tenant_id_occurred_at_id")
