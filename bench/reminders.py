"""Task reminder delivery: one worker pass over a batch of due reminders, against the same
rows written by one set-based SQL statement, in one run.

A private embedded PostgreSQL is started and deleted afterwards. One tenant with five
members holds 20,000 tasks (finished, or reminded already, or due later) plus ``--due``
reminders due now. Each round re-arms those (as the superuser: reminders cleared,
notifications and outbox rows deleted, then ``VACUUM ANALYZE``), then either

- runs ``deliver_reminders`` (what ``rapport worker`` runs each pass: find the tenants with
  reminders due, lock the due tasks ``FOR UPDATE SKIP LOCKED``, mark them, and per reminder
  a notification, an outbox event and the tenant's ``rapport_event`` hooks in a savepoint),
  or
- the baseline: one statement as the app role in the tenant's RLS context that locks,
  marks and writes the same notifications and outbox rows set-based, with psycopg.

Rounds alternate; medians are reported.

    python -m bench.reminders [--due 200] [--rounds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
import uuid

from bench.common import BenchDatabase, bench_database, table
from rapport.core.tasks.reminders import deliver_reminders
from rapport.db.session import make_engine, make_sessionmaker
from rapport.hooks import load_registry

BACKGROUND_TASKS = 20_000
MEMBERS = 5

BASELINE = """
WITH due AS (
    SELECT id FROM tasks
    WHERE tenant_id = %(tenant)s AND remind_at <= now() AND reminded_at IS NULL
      AND done_at IS NULL
    ORDER BY remind_at LIMIT %(batch)s FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE tasks t SET reminded_at = now() FROM due
    WHERE t.tenant_id = %(tenant)s AND t.id = due.id
    RETURNING t.id, t.title, t.remind_at, t.due_at, t.assignee_id
), noted AS (
    INSERT INTO notifications (tenant_id, id, recipient_id, kind, title, record_type,
                               record_id, data)
    SELECT %(tenant)s, uuidv7(), assignee_id, 'task.reminder', title, 'task', id,
           jsonb_build_object('remind_at', remind_at, 'due_at', due_at)
    FROM claimed
    RETURNING id, record_id, recipient_id
)
INSERT INTO event_outbox (tenant_id, id, name, record_type, record_id, payload)
SELECT %(tenant)s, uuidv7(), 'task.reminder_due', 'task', c.id,
       jsonb_build_object('title', c.title, 'remind_at', c.remind_at, 'due_at', c.due_at,
                          'assignee_id', c.assignee_id, 'recipient_id', n.recipient_id,
                          'notification_id', n.id)
FROM claimed c JOIN noted n ON n.record_id = c.id
"""


def _load(db: BenchDatabase, due: int) -> tuple[uuid.UUID, list[uuid.UUID]]:
    tenant = uuid.uuid4()
    with db.superuser() as conn:
        conn.execute("INSERT INTO tenants (id, slug, name, status) VALUES (%s, %s, %s, 'active')",
                     (tenant, "bench-reminders", "Bench"))
        members = []
        for n in range(MEMBERS):
            user = uuid.uuid4()
            conn.execute("INSERT INTO users (id, email, full_name) VALUES (%s, %s, %s)",
                         (user, f"member{n}@bench.example.com", f"Member {n}"))
            member = conn.execute(
                "INSERT INTO memberships (tenant_id, id, user_id, role)"
                " VALUES (%s, uuidv7(), %s, 'member') RETURNING id", (tenant, user),
            ).fetchone()[0]
            members.append(member)
        # Background: a third finished, a third already reminded, a third due later.
        conn.execute(
            "INSERT INTO tasks (tenant_id, id, title, assignee_id, remind_at, reminded_at,"
            " done_at, done_by)"
            " SELECT %(t)s, uuidv7(), 'Task ' || g, (%(m)s::uuid[])[1 + g %% 5],"
            " now() + (g %% 3 - 1) * interval '1 day' + g * interval '1 second',"
            " CASE WHEN g %% 3 = 1 THEN now() END,"
            " CASE WHEN g %% 3 = 0 THEN now() END, CASE WHEN g %% 3 = 0 THEN %(t)s END"
            " FROM generate_series(1, %(n)s) g",
            {"t": tenant, "m": members, "n": BACKGROUND_TASKS},
        )
        conn.execute(
            "INSERT INTO tasks (tenant_id, id, title, assignee_id, created_by, remind_at,"
            " due_at)"
            " SELECT %(t)s, uuidv7(), 'Call back ' || g, (%(m)s::uuid[])[1 + g %% 5], NULL,"
            " now() - interval '1 hour' - g * interval '1 second', now() + interval '1 day'"
            " FROM generate_series(1, %(n)s) g",
            {"t": tenant, "m": members, "n": due},
        )
    return tenant, members


def _rearm(db: BenchDatabase, tenant: uuid.UUID) -> None:
    with db.superuser() as conn:
        conn.execute("DELETE FROM notifications WHERE tenant_id = %s", (tenant,))
        conn.execute("DELETE FROM event_outbox WHERE tenant_id = %s", (tenant,))
        conn.execute("UPDATE tasks SET reminded_at = NULL WHERE tenant_id = %s"
                     " AND title LIKE 'Call back %%'", (tenant,))
        conn.execute("VACUUM ANALYZE tasks, notifications, event_outbox")


def _delivered(db: BenchDatabase, tenant: uuid.UUID) -> tuple[int, int]:
    with db.superuser() as conn:
        notes = conn.execute("SELECT count(*) FROM notifications WHERE tenant_id = %s",
                             (tenant,)).fetchone()[0]
        events = conn.execute("SELECT count(*) FROM event_outbox WHERE tenant_id = %s",
                              (tenant,)).fetchone()[0]
    return notes, events


def _baseline_ms(db: BenchDatabase, tenant: uuid.UUID, due: int) -> float:
    with db.app() as conn:
        start = time.perf_counter()
        with conn.transaction():
            conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (str(tenant),))
            conn.execute(BASELINE, {"tenant": tenant, "batch": due})
        return (time.perf_counter() - start) * 1000


def run(due: int, rounds: int) -> str:
    with bench_database("rapport_bench_reminders") as db:
        tenant, _ = _load(db, due)
        registry = load_registry()

        async def measure() -> tuple[list[float], list[float]]:
            engine = make_engine(db.app_url, pool_size=2)
            maker = make_sessionmaker(engine)
            worker, baseline = [], []
            try:
                for n in range(rounds + 2):  # two warm-up rounds of each
                    _rearm(db, tenant)
                    start = time.perf_counter()
                    delivered = await deliver_reminders(maker, registry, batch=due)
                    elapsed = (time.perf_counter() - start) * 1000
                    assert delivered == due and _delivered(db, tenant) == (due, due)
                    _rearm(db, tenant)
                    base = _baseline_ms(db, tenant, due)
                    assert _delivered(db, tenant) == (due, due)
                    if n >= 2:
                        worker.append(elapsed)
                        baseline.append(base)
            finally:
                await engine.dispose()
            return worker, baseline

        worker, baseline = asyncio.run(measure())
    w, b = statistics.median(worker), statistics.median(baseline)
    return table([
        (f"one statement, psycopg (baseline), {due} reminders", f"{b:.1f} ms", "1.0"),
        (f"`deliver_reminders` pass, {due} reminders", f"{w:.1f} ms", f"{w / b:.1f}"),
        ("per reminder, worker pass", f"{w / due * 1000:.0f} µs", ""),
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--due", type=int, default=200, help="reminders due per round")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    print(run(args.due, args.rounds))


if __name__ == "__main__":
    main()
