"""Segments: every endpoint with an id in its path."""

from __future__ import annotations

import uuid

from tests.conftest import TenantHandle
from tests.isolation_targets import Target


def _segment(client, t: TenantHandle) -> dict[str, str]:
    r = client.post("/api/v1/segments", headers=t.headers, json={
        "name": "Victim's buyers", "definition": {"purchases": {"within_days": 30}}})
    assert r.status_code == 201, r.text
    return {"segment_id": r.json()["id"]}


def _static(client, t: TenantHandle) -> dict[str, str]:
    r = client.post("/api/v1/segments", headers=t.headers, json={
        "name": "Victim's snapshot", "kind": "static",
        "definition": {"filter": "given_name:is_empty:false"}})
    assert r.status_code == 201, r.text
    return {"segment_id": r.json()["id"]}


def _exported(client, t: TenantHandle) -> dict[str, str]:
    """A segment of one contact: its JSON-lines export is one JSON document."""
    name = f"Victim{uuid.uuid4().hex[:8]}"
    r = client.post("/api/v1/contacts", headers=t.headers, json={"given_name": name},
                    params={"allow_duplicate": "true"})
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/segments", headers=t.headers, json={
        "name": "Victim's one", "definition": {"filter": f"given_name:eq:{name}"}})
    assert r.status_code == 201, r.text
    return {"segment_id": r.json()["id"]}


TARGETS = {
    "/api/v1/segments/{segment_id}": Target(
        _segment, {"GET": None, "PATCH": {"name": "Hijacked"}, "DELETE": None}
    ),
    "/api/v1/segments/{segment_id}/contacts": Target(_segment, {"GET": None}),
    "/api/v1/segments/{segment_id}/export?format=jsonl": Target(_exported, {"GET": None}),
    "/api/v1/segments/{segment_id}/snapshot": Target(_static, {"POST": None}),
}
