"""Interactions and the colleague section of a contact."""

from __future__ import annotations

from tests.conftest import TenantHandle
from tests.isolation_targets import Target
from tests.isolation_targets.kernel import contact


def _interaction(client, t: TenantHandle) -> dict[str, str]:
    r = client.post(
        "/api/v1/interactions",
        json={"contact_id": contact(client, t), "kind": "call", "subject": "Victim's call"},
        headers=t.headers,
    )
    assert r.status_code == 201, r.text
    return {"interaction_id": r.json()["id"]}


TARGETS: dict[str, Target] = {
    "/api/v1/interactions/{interaction_id}": Target(
        _interaction, {"GET": None, "PATCH": {"subject": "Hijacked"}, "DELETE": None}
    ),
    "/api/v1/contacts/{contact_id}/colleagues": Target(
        lambda c, t: {"contact_id": contact(c, t)}, {"GET": None}
    ),
}
