"""API clients: one client of the victim tenant (read, rename, rotate, revoke)."""

from __future__ import annotations

from tests.conftest import TenantHandle
from tests.isolation_targets import Target


def _api_client(client, t: TenantHandle) -> dict[str, str]:
    r = client.post("/api/v1/api-clients", headers=t.headers,
                    json={"name": "Victim's sync", "scopes": ["contacts:read"]})
    assert r.status_code == 201, r.text
    return {"client_id": r.json()["id"]}


TARGETS = {
    "/api/v1/api-clients/{client_id}": Target(
        _api_client, {"GET": None, "PATCH": {"name": "Hijacked"}}),
    "/api/v1/api-clients/{client_id}/rotate": Target(_api_client, {"POST": None}),
    "/api/v1/api-clients/{client_id}/revoke": Target(_api_client, {"POST": None}),
}
