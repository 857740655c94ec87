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


@pytest.fixture(scope="module")
def reminding(client, database) -> TenantHandle:
    """20 000 tasks: past reminders delivered or finished, later ones half armed, half
    finished; and one reminder due now."""
    tenant = sign_up(client)
    bulk(
        database, tenant.id,
        "INSERT INTO tasks (tenant_id, id, title, remind_at, reminded_at, done_at, done_by)"
        " SELECT %(tenant)s, uuidv7(), 'Task ' || g,"
        " now() + (g - %(rows)s / 2) * interval '1 minute',"
        " CASE WHEN g %% 2 = 0 AND g <= %(rows)s / 2 THEN now() END,"
        " CASE WHEN g %% 2 = 1 THEN now() END, CASE WHEN g %% 2 = 1 THEN gen_random_uuid() END"
        " FROM generate_series(1, %(rows)s) g",
        {"rows": ROWS},
    )
    analyze(database, "tasks")
    r = client.post("/api/v1/tasks", json={"title": "Due now", "remind_at": "2020-01-01T00:00:00Z"},
                    headers=tenant.headers)
    assert r.status_code == 201, r.text
    return tenant


def test_the_reminder_claim_reads_only_armed_reminders(client, database, reminding):
    from tests.core.deals.support import captured_sql, explain
    from tests.core.tasks.support import deliver

    with captured_sql(client) as seen:
        deliver(client)
    mine = [(s, p) for s, p in seen if p and str(p.get("tenant_id_1")) == reminding.id]
    [lock] = [(s, p) for s, p in mine if "FOR UPDATE SKIP LOCKED" in s]
    [claim] = [(s, p) for s, p in mine if s.startswith("UPDATE tasks SET reminded_at")]
    assert_index_scan(explain(database, reminding.id, *lock), "ix_tasks_tenant_id_armed_remind_at")
    assert_index_scan(explain(database, reminding.id, *claim), "tasks_pkey")


def test_the_worker_finds_due_tenants_through_the_armed_index(database, reminding):
    with database.connect_superuser() as conn:
        plan = "\n".join(r[0] for r in conn.execute(
            "EXPLAIN SELECT DISTINCT tenant_id FROM tasks WHERE remind_at <= now()"
            " AND reminded_at IS NULL AND done_at IS NULL LIMIT 100"))
    assert "ix_tasks_tenant_id_armed_remind_at" in plan, plan
