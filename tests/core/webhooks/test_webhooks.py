"""Outbound webhooks against a real receiver on loopback: committed events reach the
endpoints that want them, signed as docs/webhooks.md says; failures are retried with
backoff and an endpoint failing for a day is disabled with its admins told; SSRF targets
and bad input are refused naming the field."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import text

from rapport.core.webhooks.targets import ALLOW_PRIVATE
from rapport.db.session import tenant_session
from tests.conftest import TenantHandle, member_token, sign_up
from tests.core.webhooks import receiver

HOOKS = "/api/v1/webhooks"


@pytest.fixture(scope="module")
def rx() -> Iterator[receiver.Receiver]:
    with receiver.running() as found:
        yield found


@pytest.fixture
def allow_private(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ALLOW_PRIVATE, "1")


def verify(secret: str, headers: dict[str, str], body: bytes, tolerance: int = 300) -> bool:
    """The receiver's check, as docs/webhooks.md shows it."""
    stamp = headers["X-Rapport-Timestamp"]
    if abs(time.time() - int(stamp)) > tolerance:
        return False
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    return hmac.compare_digest("v1=" + expected, headers["X-Rapport-Signature"])


def _worker(client, t: TenantHandle) -> int:
    return receiver.worker_pass(client, t.id)


def _sql(client, t: TenantHandle, statement: str, **params) -> None:
    state = client.app.state

    async def run() -> None:
        async with tenant_session(state.sessionmaker, uuid.UUID(t.id)) as session:
            await session.execute(text(statement), params)

    client.blocking_portal.call(run)


def _contact(client, t: TenantHandle, name: str) -> str:
    r = client.post("/api/v1/contacts", headers=t.headers, params={"allow_duplicate": "true"},
                    json={"given_name": name, "family_name": "Shevchenko"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _endpoint(client, t: TenantHandle, url: str, events: list[str]) -> dict:
    r = client.post(HOOKS, headers=t.headers, json={"url": url, "events": events})
    assert r.status_code == 201, r.text
    return r.json()


def test_events_arrive_signed_and_deliveries_show_their_attempts(client, rx, allow_private):
    t = sign_up(client)
    hook = _endpoint(client, t, rx.url, ["contact.created"])
    other = _endpoint(client, t, rx.url + "/deals", ["deal.stage_changed"])
    assert hook["secret"].startswith("whsec_")
    shown = client.get(f"{HOOKS}/{hook['id']}", headers=t.headers).json()
    assert "secret" not in shown and shown["events"] == ["contact.created"]
    listed = client.get(HOOKS, headers=t.headers).json()["items"]
    assert {e["id"] for e in listed} == {hook["id"], other["id"]}

    before = len(rx.received)
    contact_id = _contact(client, t, "Taras")
    assert _worker(client, t) == 1
    assert _worker(client, t) == 0  # nothing twice
    headers, body = rx.received[before]
    assert len(rx.received) == before + 1
    assert verify(hook["secret"], headers, body)
    assert not verify(hook["secret"], headers, body + b" ")
    assert not verify(other["secret"], headers, body)
    event = json.loads(body)
    assert event["type"] == "contact.created" and event["record_id"] == contact_id
    assert event["tenant_id"] == t.id and headers["X-Rapport-Event"] == "contact.created"

    deliveries = client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=t.headers).json()
    [d] = deliveries["items"]
    assert d["status"] == "delivered" and d["id"] == headers["X-Rapport-Delivery"]
    assert [a["status"] for a in d["attempts"]] == [200]
    assert client.get(f"{HOOKS}/{other['id']}/deliveries",
                      headers=t.headers).json()["items"] == []


def test_failures_back_off_and_a_day_of_them_disables_the_endpoint(client, rx, allow_private):
    t = sign_up(client)
    hook = _endpoint(client, t, rx.url, ["*"])
    rx.status = 503
    try:
        _contact(client, t, "Olena")
        assert _worker(client, t) == 0
        [d] = client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=t.headers).json()["items"]
        assert d["status"] == "pending" and [a["status"] for a in d["attempts"]] == [503]
        assert "503" in d["attempts"][0]["error"]
        assert _worker(client, t) == 0  # backing off: not tried again at once
        assert len(client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=t.headers)
                   .json()["items"][0]["attempts"]) == 1
        # A day later, still failing.
        _sql(client, t, "UPDATE webhook_endpoints SET failing_since = now() - interval '25 hours'")
        _sql(client, t, "UPDATE webhook_deliveries SET next_attempt_at = now() - interval '1 s'")
        assert _worker(client, t) == 0
    finally:
        rx.status = 200
    shown = client.get(f"{HOOKS}/{hook['id']}", headers=t.headers).json()
    assert shown["active"] is False and "503" in shown["disabled_reason"]
    [d] = client.get(f"{HOOKS}/{hook['id']}/deliveries", headers=t.headers).json()["items"]
    assert d["status"] == "cancelled" and len(d["attempts"]) == 2
    told = client.get("/api/v1/notifications", headers=t.headers).json()["items"]
    assert [n for n in told if n["kind"] == "webhook_disabled"]
    # Disabled: new events are not queued; switched on again, they flow.
    _contact(client, t, "Ivan")
    assert _worker(client, t) == 0
    r = client.patch(f"{HOOKS}/{hook['id']}", headers=t.headers, json={"active": True})
    assert r.status_code == 200 and r.json()["disabled_at"] is None
    _contact(client, t, "Petro")
    assert _worker(client, t) == 1


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/hook", "http://10.1.2.3/hook",
                                 "http://169.254.169.254/latest", "http://[::1]/hook",
                                 "http://localhost/hook", "ftp://example.com/x"])
def test_private_targets_are_refused_unless_the_operator_allows(client, tenant, url):
    r = client.post(HOOKS, headers=tenant.headers, json={"url": url, "events": ["*"]})
    assert r.status_code == 422, r.text
    assert "url" in r.text


def test_bad_input_and_roles(client, rx, allow_private):
    t = sign_up(client)
    r = client.post(HOOKS, headers=t.headers, json={"url": rx.url, "events": ["no.such_event"]})
    assert r.status_code == 422 and "events" in r.text and "no.such_event" in r.text
    r = client.post(HOOKS, headers=t.headers, json={"url": rx.url, "events": []})
    assert r.status_code in (400, 422) and "events" in r.text
    hook = _endpoint(client, t, rx.url, ["transaction.recorded"])
    assert client.patch(f"{HOOKS}/{hook['id']}", headers=t.headers,
                        json={"url": "nope"}).status_code in (400, 422)
    assert client.get(f"{HOOKS}/{uuid.uuid4()}", headers=t.headers).status_code == 404
    member = {"Authorization": "Bearer " + member_token(client, t, f"m@{t.slug}.example.com")}
    assert client.get(HOOKS, headers=member).status_code == 403
    assert client.post(HOOKS, headers=member, json={"url": rx.url,
                                                    "events": ["*"]}).status_code == 403
    names = client.get(f"{HOOKS}/event-types", headers=t.headers).json()["names"]
    assert {"contact.created", "transaction.recorded"} <= set(names)
    assert client.delete(f"{HOOKS}/{hook['id']}", headers=t.headers).status_code == 204
    assert client.get(f"{HOOKS}/{hook['id']}", headers=t.headers).status_code == 404
