"""A member's notification list reads their own rows through its index, as the app role,
in a tenant with 20 000 notifications (mostly a colleague's, mostly read)."""

from __future__ import annotations

import pytest

from tests.conftest import TenantHandle, sign_up
from tests.core.deals.support import (
    analyze,
    assert_index_scan,
    bulk,
    captured_sql,
    explain,
    member,
    member_id,
)

ROWS = 20_000


@pytest.fixture(scope="module")
def busy(client, database) -> TenantHandle:
    tenant = sign_up(client)
    colleague_id, _ = member(client, tenant)
    bulk(
        database, tenant.id,
        "INSERT INTO notifications (tenant_id, id, recipient_id, kind, title, read_at)"
        " SELECT %(tenant)s, uuidv7(),"
        " CASE WHEN g %% 100 = 0 THEN %(me)s::uuid ELSE %(colleague)s::uuid END,"
        " 'task.reminder', 'Reminder ' || g, CASE WHEN g %% 7 <> 0 THEN now() END"
        " FROM generate_series(1, %(rows)s) g",
        {"me": member_id(client, tenant), "colleague": colleague_id, "rows": ROWS},
    )
    analyze(database, "notifications")
    return tenant


def _plans(client, database, tenant: TenantHandle, path: str) -> list[str]:
    """EXPLAIN each statement ``path`` runs against notifications: the page and the count."""
    with captured_sql(client) as seen:
        r = client.get(path, headers=tenant.headers)
    assert r.status_code == 200, r.text
    statements = [(s, p) for s, p in seen if "FROM notifications" in s]
    assert len(statements) == 2, statements
    return [explain(database, tenant.id, sql, params) for sql, params in statements]


def test_my_notifications_use_the_recipient_index(client, database, busy):
    tenant = busy
    page, _count = _plans(client, database, tenant, "/api/v1/notifications?limit=20")
    assert_index_scan(page, "ix_notifications_tenant_id_recipient_id_id")


def test_unread_ones_and_the_badge_read_only_unread_rows(client, database, busy):
    tenant = busy
    for plan in _plans(client, database, tenant, "/api/v1/notifications?unread=true"):
        assert_index_scan(plan, "ix_notifications_tenant_id_recipient_id_unread_id")
