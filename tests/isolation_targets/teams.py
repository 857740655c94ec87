"""Teams: the team and its members, attacked from another tenant."""

from __future__ import annotations

from tests.conftest import TenantHandle
from tests.isolation_targets import Target


def _team(client, t: TenantHandle) -> dict[str, str]:
    owner = next(m["id"] for m in client.get("/api/v1/members", headers=t.headers).json()["items"]
                 if m["email"] == t.owner_email)
    r = client.post("/api/v1/teams", headers=t.headers,
                    json={"name": "Victim's team", "lead_id": owner})
    assert r.status_code == 201, r.text
    return {"team_id": r.json()["id"], "member_id": owner}


TARGETS = {
    "/api/v1/teams/{team_id}": Target(
        _team, {"GET": None, "PATCH": {"name": "Hijacked"}, "DELETE": None}),
    "/api/v1/teams/{team_id}/members": Target(
        _team, {"POST": {"member_id": "00000000-0000-7000-8000-000000000000"}}),
    "/api/v1/teams/{team_id}/members/{member_id}": Target(_team, {"DELETE": None}),
}
