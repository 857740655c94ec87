"""Analytics: every endpoint with an id in its path."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import TenantHandle
from tests.isolation_targets import Target


def _buyer(client, t: TenantHandle) -> str:
    r = client.post("/api/v1/contacts", json={"given_name": "Victim buyer"}, headers=t.headers)
    assert r.status_code == 201, r.text
    contact = r.json()["id"]
    r = client.post("/api/v1/transactions", headers=t.headers, json={
        "amount": "40.00", "currency": "EUR", "channel": "store", "contact_id": contact,
        "occurred_at": (datetime.now(UTC) - timedelta(days=3)).isoformat()})
    assert r.status_code == 201, r.text
    return contact


def _contact(client, t: TenantHandle) -> dict[str, str]:
    return {"contact_id": _buyer(client, t)}


def _job(client, t: TenantHandle) -> dict[str, str]:
    _buyer(client, t)
    r = client.post("/api/v1/analytics/recompute", headers=t.headers, json={})
    assert r.status_code == 202, r.text
    return {"job_id": r.json()["id"]}


TARGETS = {
    "/api/v1/analytics/contacts/{contact_id}": Target(_contact, {"GET": None}),
    "/api/v1/analytics/jobs/{job_id}": Target(_job, {"GET": None}),
}
