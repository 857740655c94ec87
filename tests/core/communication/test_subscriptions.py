"""Members' subscriptions: a committed event reaches each subscriber once — in the app or
in the next e-mail digest — never the member who caused it, and with scope ``own`` only
for contacts the member owns; bad input is a clear 4xx."""

from __future__ import annotations

import functools
import uuid
from datetime import UTC, datetime, timedelta

from rapport.core.communication.digest import send_digests
from rapport.core.communication.senders import default_senders
from rapport.core.events.outbox import deliver_tenant
from rapport.core.modules.enabled import enabled_modules
from rapport.db.session import tenant_session
from tests import mailbox
from tests.conftest import member_token, sign_up
from tests.core.communication.support import contact

SUBS = "/api/v1/subscriptions"


def _outbox(client, tenant_id: str) -> None:
    """Deliver the tenant's committed events, as ``rapport worker`` does."""
    state = client.app.state

    async def run() -> None:
        tid = uuid.UUID(tenant_id)
        async with tenant_session(state.sessionmaker, tid) as session:
            hooks = state.registry.for_tenant(await enabled_modules(session, tid))
            await deliver_tenant(session, hooks, tid, 500)

    client.blocking_portal.call(run)


def _purchase(client, headers, contact_id: str) -> None:
    r = client.post("/api/v1/transactions", headers=headers, json={
        "currency": "EUR", "channel": "store", "contact_id": contact_id,
        "occurred_at": datetime.now(UTC).isoformat(),
        "lines": [{"product": "Tea", "quantity": "1", "unit_price": "5"}]})
    assert r.status_code == 201, r.text


def _mine(client, headers) -> list[dict]:
    r = client.get("/api/v1/notifications", headers=headers)
    return [n for n in r.json()["items"] if n["kind"] == "subscription"]


def test_events_reach_subscribers_in_the_app_and_by_digest(client):
    t = sign_up(client)
    seller = {"Authorization": "Bearer " + member_token(client, t, f"seller@{t.slug}.example.com")}
    r = client.post(SUBS, headers=t.headers, json={"event_type": "transaction.recorded",
                                                   "scope": "all"})
    assert r.status_code == 201, r.text
    assert client.post(SUBS, headers=t.headers, json={
        "event_type": "transaction.recorded", "scope": "all"}).status_code == 409
    assert client.post(SUBS, headers=t.headers, json={
        "event_type": "contact.created", "delivery": "email_digest", "scope": "all",
    }).status_code == 201
    # The seller follows the same purchases, but only of their own customers.
    assert client.post(SUBS, headers=seller, json={"event_type": "transaction.recorded",
                                                   "scope": "own"}).status_code == 201
    buyer = contact(client, t, headers=seller, given_name="Buyer")  # created by the seller
    _purchase(client, seller, buyer)
    own_purchase = contact(client, t, given_name="Owned")
    _outbox(client, t.id)
    told = _mine(client, t.headers)
    assert len(told) == 1 and told[0]["data"]["event"] == "transaction.recorded"
    assert _mine(client, seller) == []  # they made it themselves
    _purchase(client, t.headers, own_purchase)
    _outbox(client, t.id)
    assert len(_mine(client, t.headers)) == 1  # the owner's own purchase is not news to them
    state = client.app.state
    senders = default_senders(state.settings)
    run = functools.partial(send_digests, state.sessionmaker, senders, [uuid.UUID(t.id)],
                            timedelta(0))
    assert client.blocking_portal.call(run) == 1
    digest = mailbox.MAILBOX.wait_for(t.owner_email)
    assert "events you follow" in digest.subject and "contact.created" in digest.text
    assert client.blocking_portal.call(run) == 0  # sent once


def test_a_member_manages_only_their_own_subscriptions(client):
    t = sign_up(client)
    other = {"Authorization": "Bearer " + member_token(client, t, f"m2@{t.slug}.example.com")}
    made = client.post(SUBS, headers=t.headers, json={"event_type": "contact.created"}).json()
    assert client.get(SUBS, headers=other).json()["items"] == []
    assert client.delete(f"{SUBS}/{made['id']}", headers=other).status_code == 404
    r = client.post(SUBS, headers=t.headers, json={"event_type": "nothing.happened"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "event_type"
    r = client.post(SUBS, headers=t.headers, json={"event_type": "contact.created",
                                                   "delivery": "pigeon"})
    assert r.status_code == 422
    assert client.delete(f"{SUBS}/{made['id']}", headers=t.headers).status_code == 204
    assert client.get(SUBS, headers=t.headers).json()["items"] == []
