"""Outbound webhooks: endpoints and their deliveries."""

from __future__ import annotations

import os

from rapport.core.webhooks.targets import ALLOW_PRIVATE
from tests.conftest import TenantHandle
from tests.isolation_targets import Target


def _endpoint(client, t: TenantHandle) -> dict[str, str]:
    before = os.environ.get(ALLOW_PRIVATE)
    os.environ[ALLOW_PRIVATE] = "1"  # a loopback URL, never called here
    try:
        r = client.post("/api/v1/webhooks", headers=t.headers, json={
            "url": "http://127.0.0.1:9/victim", "events": ["contact.created"]})
    finally:
        if before is None:
            del os.environ[ALLOW_PRIVATE]
        else:
            os.environ[ALLOW_PRIVATE] = before
    assert r.status_code == 201, r.text
    return {"endpoint_id": r.json()["id"]}


TARGETS = {
    "/api/v1/webhooks/{endpoint_id}": Target(
        _endpoint, {"GET": None, "PATCH": {"description": "Hijacked"}, "DELETE": None}),
    "/api/v1/webhooks/{endpoint_id}/deliveries": Target(_endpoint, {"GET": None}),
}
