"""Statements per request on the main endpoints (Zulip's query-count tests): each test
fails when its endpoint sends more statements to PostgreSQL than it does today, so an N+1
or an extra transaction shows up in review instead of in production.

Counted: every statement the app's engine sends, plus BEGIN, COMMIT and ROLLBACK (psycopg
sends BEGIN before a transaction's first statement, a round trip of its own) and pool
pre-pings. The ceilings are today's counts; lower one when an endpoint gets cheaper. (Before issue
12: /me 10, the contact page 19, a list page 15, create 30, update 29, a deal 12.)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import event

from tests.conftest import TenantHandle

# Page sizes that must cost the same statements: no query per row.
PAGES = (1, 20)


class Statements:
    """What one block of requests sent, in order."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self._lock = threading.Lock()

    def add(self, what: str) -> None:
        with self._lock:
            self.sent.append(what)

    def __len__(self) -> int:
        return len(self.sent)

    def __str__(self) -> str:
        return "\n".join(f"{n:3} {s[:160]}" for n, s in enumerate(self.sent, 1))


@contextmanager
def counted(client: TestClient[Any]) -> Iterator[Statements]:
    engine = client.app.state.engine.sync_engine
    seen = Statements()

    def on_statement(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.add(" ".join(statement.split()))

    def on_begin(conn: Any) -> None:
        seen.add("BEGIN")

    def on_commit(conn: Any) -> None:
        seen.add("COMMIT")

    def on_rollback(conn: Any) -> None:
        seen.add("ROLLBACK")

    dialect = engine.dialect
    real_ping = dialect.do_ping

    def ping(dbapi_connection: Any) -> bool:
        seen.add("ping")
        return bool(real_ping(dbapi_connection))

    listeners = [("before_cursor_execute", on_statement), ("begin", on_begin),
                 ("commit", on_commit), ("rollback", on_rollback)]
    for name, fn in listeners:
        event.listen(engine, name, fn)
    dialect.do_ping = ping  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        dialect.do_ping = real_ping  # type: ignore[method-assign]
        for name, fn in listeners:
            event.remove(engine, name, fn)


def assert_at_most(seen: Statements, ceiling: int) -> None:
    assert len(seen) <= ceiling, f"{len(seen)} statements (ceiling {ceiling}):\n{seen}"


def _contact(client: TestClient[Any], tenant: TenantHandle, n: int) -> str:
    r = client.post("/api/v1/contacts", headers=tenant.headers, json={
        "given_name": f"Given{n}", "family_name": "Family",
        "emails": [{"address": f"g{n}@example.com", "primary": True}],
        "phones": [{"number": f"+38044{n:07d}"}], "tags": ["vip"],
    })
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@pytest.fixture(scope="module")
def busy(client: TestClient[Any]) -> tuple[TenantHandle, list[str]]:
    """A tenant with 20 contacts, the first with a deal, a task and an interaction."""
    from tests.conftest import sign_up

    tenant = sign_up(client)
    ids = [_contact(client, tenant, n) for n in range(max(PAGES))]
    for path, body in (
        ("/api/v1/deals", {"title": "Deal", "contact_id": ids[0]}),
        ("/api/v1/tasks", {"title": "Call back", "contact_id": ids[0]}),
        ("/api/v1/interactions", {"contact_id": ids[0], "kind": "call"}),
    ):
        r = client.post(path, headers=tenant.headers, json=body)
        assert r.status_code == 201, r.text
    return tenant, ids


def _get(client: TestClient[Any], tenant: TenantHandle, path: str) -> Any:
    r = client.get(path, headers=tenant.headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_me(client, busy):
    tenant, _ = busy
    _get(client, tenant, "/api/v1/me")  # warm: caches filled by any earlier request
    with counted(client) as seen:
        body = _get(client, tenant, "/api/v1/me")
    assert body["user"]["email_verified"] is False  # read with the principal, no statement
    assert_at_most(seen, 4)


def test_contact_page(client, busy):
    tenant, ids = busy
    _get(client, tenant, f"/api/v1/contacts/{ids[0]}")
    with counted(client) as seen:
        body = _get(client, tenant, f"/api/v1/contacts/{ids[0]}")
    assert body["activity"]["interaction_count"] == 1
    assert_at_most(seen, 5)


@pytest.mark.parametrize("limit", PAGES)
def test_contact_list_costs_the_same_for_any_page(client, busy, limit):
    tenant, _ = busy
    _get(client, tenant, "/api/v1/contacts?limit=1")
    with counted(client) as seen:
        body = _get(client, tenant, f"/api/v1/contacts?limit={limit}")
    assert len(body["items"]) == limit
    assert_at_most(seen, 5)


def test_contact_create(client, busy):
    tenant, _ = busy
    with counted(client) as seen:
        _contact(client, tenant, 500)
    assert_at_most(seen, 9)


def test_contact_update(client, busy):
    tenant, ids = busy
    with counted(client) as seen:
        r = client.patch(f"/api/v1/contacts/{ids[1]}", headers=tenant.headers,
                         json={"family_name": "Renamed", "tags": ["vip", "gold"]})
        assert r.status_code == 200, r.text
    assert_at_most(seen, 17)


def test_deal_page(client, busy):
    tenant, _ = busy
    deals = _get(client, tenant, "/api/v1/deals")["items"]
    with counted(client) as seen:
        _get(client, tenant, f"/api/v1/deals/{deals[0]['id']}")
    assert_at_most(seen, 7)


def test_organizations_list(client, busy):
    tenant, _ = busy
    _get(client, tenant, "/api/v1/organizations")
    with counted(client) as seen:
        _get(client, tenant, "/api/v1/organizations")
    assert_at_most(seen, 5)
