"""Segments: every endpoint with an id in its path."""

from __future__ import annotations

from tests.conftest import TenantHandle
from tests.isolation_targets import Target


def _segment(client, t: TenantHandle) -> dict[str, str]:
    r = client.post("/api/v1/segments", headers=t.headers, json={
        "name": "Victim's buyers", "definition": {"purchases": {"within_days": 30}}})
    assert r.status_code == 201, r.text
    return {"segment_id": r.json()["id"]}


TARGETS = {
    "/api/v1/segments/{segment_id}": Target(
        _segment, {"GET": None, "PATCH": {"name": "Hijacked"}, "DELETE": None}
    ),
    "/api/v1/segments/{segment_id}/contacts": Target(_segment, {"GET": None}),
}
