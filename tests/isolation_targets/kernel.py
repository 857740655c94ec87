"""Kernel endpoints: contacts, members, fields, workflows, sharing; the stamps example."""

from __future__ import annotations

from tests.conftest import TenantHandle, add_member, sign_up
from tests.isolation_targets import Target


def contact(client, t: TenantHandle, name: str = "Target") -> str:
    r = client.post("/api/v1/contacts", json={"given_name": name}, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _member(client, t: TenantHandle) -> dict[str, str]:
    member = add_member(client, t, f"m-{t.slug}@example.com", full_name="M")
    return {"member_id": member["id"]}


def _field(client, t: TenantHandle) -> dict[str, str]:
    r = client.post(
        "/api/v1/fields",
        json={"key": "victim", "entity": "contact", "type": "text", "label": "V"},
        headers=t.headers,
    )
    assert r.status_code == 201, r.text
    return {"key": r.json()["key"]}


def _card(client, t: TenantHandle) -> dict[str, str]:
    holder = contact(client, t, "Card holder")
    cards = client.get("/api/v1/stamps/cards", headers=t.headers).json()
    card = next(c for c in cards if c["contact_id"] == holder)
    return {
        "card_id": card["id"],
        "record_id": card["id"],
        "workflow": "stamps.card",
        "name": "void",
    }


def _grant(client, t: TenantHandle) -> dict[str, str]:
    # The grantee is a third tenant: the attacker is neither party.
    third = sign_up(client)
    card = _card(client, t)
    r = client.post(
        "/api/v1/sharing/grants",
        json={
            "grantee_tenant": third.slug,
            "record_type": "stamps.card",
            "record_id": card["card_id"],
            "sections": ["stamps"],
            "purpose": "loyalty transfer",
            "expires_at": "2099-01-01T00:00:00Z",
        },
        headers=t.headers,
    )
    assert r.status_code == 201, r.text
    return {"grant_id": r.json()["id"]}


TARGETS: dict[str, Target] = {
    "/api/v1/contacts/{contact_id}": Target(
        lambda c, t: {"contact_id": contact(c, t)},
        {"GET": None, "PATCH": {"given_name": "Hijacked"}, "DELETE": None},
    ),
    "/api/v1/contacts/{contact_id}/timeline": Target(
        lambda c, t: {"contact_id": contact(c, t)}, {"GET": None}, ("stamps",)
    ),
    "/api/v1/members/{member_id}": Target(_member, {"PATCH": {"role": "viewer"}, "DELETE": None}),
    "/api/v1/fields/{key}": Target(
        _field, {"GET": None, "PATCH": {"label": "Hijacked"}, "DELETE": None}
    ),
    "/api/v1/stamps/cards/{card_id}": Target(_card, {"GET": None}, ("stamps",)),
    "/api/v1/stamps/cards/{card_id}/stamp": Target(_card, {"POST": None}, ("stamps",)),
    "/api/v1/stamps/cards/{card_id}/transitions/{name}": Target(_card, {"POST": None}, ("stamps",)),
    "/api/v1/workflows/{workflow}/records/{record_id}": Target(_card, {"GET": None}, ("stamps",)),
    "/api/v1/workflows/{workflow}/records/{record_id}/transitions/{name}": Target(
        _card, {"POST": None}, ("stamps",)
    ),
    "/api/v1/sharing/grants/{grant_id}": Target(_grant, {"GET": None}, ("stamps",)),
    "/api/v1/sharing/grants/{grant_id}/revoke": Target(_grant, {"POST": None}, ("stamps",)),
}
