"""Batched delivery: consecutive committed events of one name go to a plugin's
``rapport_events_committed`` together; per-event consumers still get them one by one; a
failing batch is rolled back and delivered again one event at a time."""

from __future__ import annotations

import types

from sqlalchemy import text

from rapport.hooks import PluginManifest, hookimpl, load_registry
from tests.core.events.support import deliver


def _consumers(batches: list[list[str]], single: list[str], fail_on: str | None = None
               ) -> list[tuple[str, types.ModuleType]]:
    batched = types.ModuleType("batch_consumer")
    one = types.ModuleType("single_consumer")

    def batch_manifest() -> PluginManifest:
        return PluginManifest("batcher", "Batcher", "1.0")

    def single_manifest() -> PluginManifest:
        return PluginManifest("single", "Single", "1.0")

    async def committed_batch(events) -> None:
        assert len({(e.name, e.tenant_id) for e in events}) == 1
        names = [str(e.payload.get("given_name")) for e in events]
        # Writes in the worker's transaction: they must roll back with a failing batch.
        await events[0].session.execute(text("SELECT set_config('rapport.probe', 'x', true)"))
        if fail_on in names:
            raise RuntimeError(f"cannot take {fail_on}")
        batches.append(names)

    def committed(event) -> None:
        single.append(str(event.payload.get("given_name")))

    batched.rapport_manifest = hookimpl(batch_manifest)
    batched.rapport_events_committed = hookimpl(committed_batch)
    one.rapport_manifest = hookimpl(single_manifest)
    one.rapport_event_committed = hookimpl(committed)
    return [("batcher", batched), ("single", one)]


def _enable(database, tenant_id: str) -> None:
    with database.connect_superuser() as conn:
        for name in ("batcher", "single"):
            conn.execute("INSERT INTO tenant_modules (tenant_id, id, name, enabled) "
                         "VALUES (%s, gen_random_uuid(), %s, true)", (tenant_id, name))


def _pending(database, tenant_id: str) -> list[tuple]:
    with database.connect_superuser() as conn:
        return conn.execute(
            "SELECT payload->>'given_name', attempts, last_error FROM event_outbox"
            " WHERE tenant_id = %s AND dispatched_at IS NULL ORDER BY id", (tenant_id,),
        ).fetchall()


def test_consecutive_events_of_one_name_come_as_one_batch(client, database, tenant):
    batches: list[list[str]] = []
    single: list[str] = []
    registry = load_registry(extra=_consumers(batches, single), entry_points_too=False)
    _enable(database, tenant.id)
    for name in ("A", "B", "C"):
        client.post("/api/v1/contacts", json={"given_name": name}, headers=tenant.headers)
    ivan = client.post("/api/v1/contacts", json={"given_name": "D"}, headers=tenant.headers)
    client.patch(f"/api/v1/contacts/{ivan.json()['id']}", json={"family_name": "E"},
                 headers=tenant.headers)
    deliver(database, registry)
    # contact.created x4 in one batch, then contact.updated alone (its payload: changes).
    assert batches == [["A", "B", "C", "D"], ["None"]]
    assert single == ["A", "B", "C", "D", "None"]
    assert _pending(database, tenant.id) == []
    deliver(database, registry)
    assert len(batches) == 2


def test_a_failing_batch_is_delivered_again_one_by_one(client, database, tenant):
    batches: list[list[str]] = []
    single: list[str] = []
    registry = load_registry(extra=_consumers(batches, single, fail_on="Bad"),
                             entry_points_too=False)
    _enable(database, tenant.id)
    for name in ("A", "Bad", "C"):
        client.post("/api/v1/contacts", json={"given_name": name}, headers=tenant.headers)
    deliver(database, registry)
    # The batch of three failed and left nothing; then each alone: only "Bad" stays due.
    assert batches == [["A"], ["C"]]
    assert single == ["A", "C"]
    [(name, attempts, error)] = _pending(database, tenant.id)
    assert (name, attempts) == ("Bad", 1) and error.startswith("batcher: RuntimeError")
