"""Task lists people work from use their indexes, as the app role, over 20 000 tasks."""

from __future__ import annotations

import pytest

from tests.conftest import TenantHandle, sign_up
from tests.core.deals.support import analyze, assert_index_scan, bulk, member_id, plan_of

ROWS = 20_000


@pytest.fixture(scope="module")
def busy(client, database) -> TenantHandle:
    tenant = sign_up(client)
    me = member_id(client, tenant)
    bulk(
        database, tenant.id,
        # Mostly finished work of nobody in particular; a few open tasks of the owner's.
        "INSERT INTO tasks (tenant_id, id, title, due_at, done_at, done_by, assignee_id)"
        " SELECT %(tenant)s, uuidv7(), 'Task ' || g, now() - g * interval '1 minute',"
        " CASE WHEN g %% 500 = 0 THEN NULL ELSE now() END,"
        " CASE WHEN g %% 500 = 0 THEN NULL ELSE gen_random_uuid() END,"
        " CASE WHEN g %% 1000 = 0 THEN %(me)s::uuid END"
        " FROM generate_series(1, %(rows)s) g",
        {"me": me, "rows": ROWS},
    )
    analyze(database, "tasks")
    return tenant


def test_my_open_tasks_use_the_assignee_index(client, database, busy):
    plan = plan_of(client, database, busy, "/api/v1/tasks?assignee=me&open=true", "tasks")
    assert_index_scan(plan, "ix_tasks_tenant_id_assignee_id_id")


def test_overdue_tasks_read_only_open_work(client, database, busy):
    plan = plan_of(client, database, busy, "/api/v1/tasks?overdue=true", "tasks")
    assert "ix_tasks_tenant_id_open" in plan, plan
    assert "Seq Scan" not in plan, plan
