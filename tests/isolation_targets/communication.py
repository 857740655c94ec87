"""Communication: templates, campaigns and subscriptions with an id in their path."""

from __future__ import annotations

from tests.conftest import TenantHandle
from tests.isolation_targets import Target


def _template(client, t: TenantHandle) -> dict[str, str]:
    r = client.post("/api/v1/templates", headers=t.headers, json={
        "name": "Victim's offer", "channel": "sms", "language": "en", "body": "{{ salutation }}"})
    assert r.status_code == 201, r.text
    return {"template_id": r.json()["id"]}


def _campaign(client, t: TenantHandle) -> dict[str, str]:
    template = _template(client, t)["template_id"]
    r = client.post("/api/v1/campaigns", headers=t.headers, json={
        "name": "Victim's campaign", "template_id": template,
        "definition": {"filter": "tags:in:vip"}, "send_at": "2031-01-01T09:00:00+00:00"})
    assert r.status_code == 201, r.text
    return {"campaign_id": r.json()["id"]}


def _subscription(client, t: TenantHandle) -> dict[str, str]:
    r = client.post("/api/v1/subscriptions", headers=t.headers,
                    json={"event_type": "transaction.recorded", "scope": "all"})
    assert r.status_code == 201, r.text
    return {"subscription_id": r.json()["id"]}


TARGETS = {
    "/api/v1/templates/{template_id}": Target(
        _template, {"GET": None, "PATCH": {"name": "Hijacked"}, "DELETE": None}),
    "/api/v1/templates/{template_id}/preview": Target(
        _template, {"POST": {"contact_id": "0190f0f0-0000-7000-8000-000000000000"}}),
    "/api/v1/campaigns/{campaign_id}": Target(
        _campaign, {"GET": None, "PATCH": {"name": "Hijacked"}, "DELETE": None}),
    "/api/v1/campaigns/{campaign_id}/audience": Target(_campaign, {"GET": None}),
    "/api/v1/campaigns/{campaign_id}/schedule": Target(_campaign, {"POST": {}}),
    "/api/v1/campaigns/{campaign_id}/cancel": Target(_campaign, {"POST": None}),
    "/api/v1/campaigns/{campaign_id}/messages": Target(_campaign, {"GET": None}),
    "/api/v1/subscriptions/{subscription_id}": Target(_subscription, {"DELETE": None}),
}
