"""The frequency cap counts outbound interactions on the channel within the period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import sign_up
from tests.core.deals.support import contact


def _sent(client, t, contact_id: str, channel: str, days_ago: float,
          direction: str = "outbound") -> None:
    at = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    r = client.post(
        "/api/v1/interactions",
        json={"contact_id": contact_id, "kind": "email", "channel": channel,
              "direction": direction, "occurred_at": at, "subject": "Spring offers"},
        headers=t.headers,
    )
    assert r.status_code == 201, r.text


def _may(client, t, contact_id: str, topic: str = "offers") -> dict:
    r = client.get(f"/api/v1/contacts/{contact_id}/may-contact?channel=email&topic={topic}",
                   headers=t.headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_cap_counts_recent_outbound_messages_on_the_channel(client):
    tenant = sign_up(client)
    who = contact(client, tenant)
    r = client.post(f"/api/v1/contacts/{who}/consent",
                    json={"channel": "email", "topic": "offers", "status": "opt_in",
                          "source": "checkout"}, headers=tenant.headers)
    assert r.status_code == 201
    client.put(f"/api/v1/contacts/{who}/contact-policy",
               json={"do_not_contact": False, "frequency_cap": {"max": 2, "per_days": 7}},
               headers=tenant.headers)
    _sent(client, tenant, who, "email", days_ago=1)
    _sent(client, tenant, who, "email", days_ago=10)  # outside the period
    _sent(client, tenant, who, "sms", days_ago=1)  # another channel
    _sent(client, tenant, who, "email", days_ago=1, direction="inbound")  # a reply
    assert _may(client, tenant, who)["reason"] == "opted_in"

    _sent(client, tenant, who, "email", days_ago=2)
    answer = _may(client, tenant, who)
    assert answer["allowed"] is False and answer["reason"] == "frequency_cap"
    assert answer["detail"] == "2 outbound email messages in the last 7 days (at most 2)"
    # Service messages are not marketing pressure: the cap does not hold them back.
    assert _may(client, tenant, who, topic="service")["allowed"] is True
