"""Batches as rows in SQL (``rapport_event_rows_committed``): a consumer reads a run of
consecutive committed events of one name straight from the outbox in its own statement
(``CommittedEvents.relation``), in order; it is not also called through the other two
after-commit hooks; a failing batch is rolled back and delivered again one event at a time;
``DomainEvent`` consumers of the same events still get them."""

from __future__ import annotations

import types

from sqlalchemy import text

from rapport.hooks import PluginManifest, hookimpl, load_registry
from tests.core.events.support import deliver
from tests.core.events.test_outbox_batches import _pending


def _consumers(seen: list[list[str]], loaded: list[list[str]], other: list[str],
               fail_on: str | None = None) -> list[tuple[str, types.ModuleType]]:
    rows = types.ModuleType("rows_consumer")
    batch = types.ModuleType("batch_consumer")

    def rows_manifest() -> PluginManifest:
        return PluginManifest("rower", "Rower", "1.0")

    def batch_manifest() -> PluginManifest:
        # Not test_outbox_batches' "batcher": its tenant's pending events are not ours.
        return PluginManifest("listener", "Listener", "1.0")

    async def committed_rows(batch) -> None:
        names = list((await batch.session.execute(text(
            f"SELECT r.payload->>'given_name' FROM {batch.relation} r ORDER BY r.position"),
            batch.params)).scalars())
        assert len(names) == batch.count
        if fail_on in names:
            raise RuntimeError(f"cannot take {fail_on}")
        seen.append(names)
        loaded.append([str(e.payload.get("given_name")) for e in await batch.events()])

    async def not_for_a_row_consumer(events) -> None:
        raise AssertionError("a plugin with the rows hook gets every event through it")

    async def committed_batch(events) -> None:
        other.extend(str(e.payload.get("given_name")) for e in events)

    rows.rapport_manifest = hookimpl(rows_manifest)
    rows.rapport_event_rows_committed = hookimpl(committed_rows)
    rows.rapport_events_committed = hookimpl(not_for_a_row_consumer)
    batch.rapport_manifest = hookimpl(batch_manifest)
    batch.rapport_events_committed = hookimpl(committed_batch)
    return [("rower", rows), ("listener", batch)]


def _enable(database, tenant_id: str) -> None:
    with database.connect_superuser() as conn:
        for name in ("rower", "listener"):
            conn.execute("INSERT INTO tenant_modules (tenant_id, id, name, enabled) "
                         "VALUES (%s, gen_random_uuid(), %s, true)", (tenant_id, name))


def test_a_run_of_events_comes_as_rows_in_order(client, database, tenant):
    seen: list[list[str]] = []
    loaded: list[list[str]] = []
    other: list[str] = []
    registry = load_registry(extra=_consumers(seen, loaded, other), entry_points_too=False)
    _enable(database, tenant.id)
    for name in ("A", "B", "C"):
        client.post("/api/v1/contacts", json={"given_name": name}, headers=tenant.headers)
    deliver(database, registry)
    assert seen == [["A", "B", "C"]] and loaded == seen
    assert other == ["A", "B", "C"]
    assert _pending(database, tenant.id) == []


def test_a_failing_row_batch_is_delivered_again_one_by_one(client, database, tenant):
    seen: list[list[str]] = []
    loaded: list[list[str]] = []
    other: list[str] = []
    registry = load_registry(extra=_consumers(seen, loaded, other, fail_on="Bad"),
                             entry_points_too=False)
    _enable(database, tenant.id)
    for name in ("A", "Bad", "C"):
        client.post("/api/v1/contacts", json={"given_name": name}, headers=tenant.headers)
    deliver(database, registry)
    # The batch of three failed and left nothing; then each alone: only "Bad" stays due,
    # and the DomainEvent consumer is not handed it either.
    assert seen == [["A"], ["C"]]
    assert other == ["A", "C"]
    [(name, attempts, error)] = _pending(database, tenant.id)
    assert (name, attempts) == ("Bad", 1) and error.startswith("rower: RuntimeError")
