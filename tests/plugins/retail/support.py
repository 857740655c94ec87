"""A shop for the retail tests: a tenant with the module on, a program, a cashier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.conftest import TenantHandle, member_token, sign_up

R = "/api/v1/retail"


@dataclass
class Shop:
    tenant: TenantHandle
    program_id: str
    cashier: dict[str, str]

    @property
    def headers(self) -> dict[str, str]:
        return self.tenant.headers


def shop(client: Any, **program: Any) -> Shop:
    t = sign_up(client)
    r = client.put("/api/v1/modules/retail", headers=t.headers)
    assert r.status_code == 200, r.text
    body = {"name": "Club", "currency": "UAH", "points_per_unit": "1", **program}
    r = client.post(f"{R}/programs", json=body, headers=t.headers)
    assert r.status_code == 201, r.text
    token = member_token(client, t, f"till-{t.slug}@example.com", role="cashier",
                         password="cashier password 1")
    return Shop(t, r.json()["id"], {"Authorization": f"Bearer {token}"})


def customer(client: Any, s: Shop, **contact: Any) -> dict[str, Any]:
    """A contact who joins the shop's program; the member (with its card)."""
    body = {"given_name": "Olena", "family_name": "Shevchenko", **contact}
    c = client.post("/api/v1/contacts", json=body, headers=s.headers)
    assert c.status_code == 201, c.text
    r = client.post(f"{R}/members", json={"contact_id": c.json()["id"],
                                          "program_id": s.program_id}, headers=s.headers)
    assert r.status_code == 201, r.text
    return r.json()


def buy(client: Any, s: Shop, card: str, external_id: str, amount: str = "100",
        **extra: Any) -> Any:
    body = {"card_number": card, "external_id": external_id, "currency": "UAH",
            "amount": amount, **extra}
    if "lines" in extra:
        body.pop("amount")
    return client.post(f"{R}/till/purchases", json=body, headers=s.cashier)
