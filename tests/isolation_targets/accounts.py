"""Account endpoints with an id: a pending member's invitation, one session."""

from __future__ import annotations

from tests.conftest import TenantHandle, unique
from tests.isolation_targets import Target


def _pending_member(client, t: TenantHandle) -> dict[str, str]:
    r = client.post("/api/v1/members", headers=t.headers,
                    json={"email": f"pending-{unique()}@example.com", "role": "member"})
    assert r.status_code == 201, r.text
    return {"member_id": r.json()["id"]}


def _session(client, t: TenantHandle) -> dict[str, str]:
    items = client.get("/api/v1/auth/sessions", headers=t.headers).json()["items"]
    return {"session_id": next(s["id"] for s in items if s["current"])}


TARGETS = {
    "/api/v1/members/{member_id}/invitation": Target(_pending_member, {"POST": None}),
    "/api/v1/auth/sessions/{session_id}": Target(_session, {"DELETE": None}),
}
