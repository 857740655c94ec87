"""A dealership for the tests: a tenant with the module on, a salesperson, a second
salesperson and a sales manager, a vehicle in the catalogue and a customer."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.conftest import TenantHandle, add_member, login, sign_up

ROLES = ("salesperson", "rival", "sales_manager")
# A real North American VIN (check digit 1 in position 9), and one with a wrong check digit.
GOOD_VIN = "1M8GDM9AXKP042788"
BAD_CHECK_VIN = "1M8GDM9A1KP042788"


@dataclass
class Dealer:
    tenant: TenantHandle
    tokens: dict[str, str] = field(default_factory=dict)
    members: dict[str, str] = field(default_factory=dict)  # role → membership id

    def as_(self, who: str) -> dict[str, str]:
        token = self.tenant.token if who == "owner" else self.tokens[who]
        return {"Authorization": f"Bearer {token}"}


def dealer(client: Any, *, market: str | None = None) -> Dealer:
    t = sign_up(client)
    r = client.put("/api/v1/modules/dealership", headers=t.headers)
    assert r.status_code == 200, r.text
    if market:
        r = client.put("/api/v1/modules/dealership/settings", headers=t.headers,
                       json={"market": market})
        assert r.status_code == 200, r.text
    d = Dealer(t)
    for who in ROLES:
        role = "salesperson" if who == "rival" else who
        email = f"{who}-{secrets.token_hex(3)}@{t.slug}.example.com"
        password = f"{who} password {t.slug}"
        m = add_member(client, t, email, role=role, full_name=f"{who.title()} Person",
                       password=password)
        d.members[who] = m["id"]
        d.tokens[who] = login(client, t.slug, email, password)
    return d


def vehicle(client: Any, d: Dealer, **extra: Any) -> dict[str, Any]:
    body = {"make": "Skoda", "model": "Kodiaq", "model_year": 2026, "trim": "Style",
            "body": "SUV", "engine": "2.0 TDI",
            "colours": [{"code": "2Y2Y", "name": "Moon white"},
                        {"code": "F9R", "name": "Velvet red"},
                        {"code": "9P9P", "name": "Graphite grey"},
                        {"code": "1Z1Z", "name": "Magic black"}],
            "options": [{"code": "WP1", "name": "Winter pack", "price_minor": 120000}],
            "base_price_minor": 4500000, "currency": "EUR", **extra}
    r = client.post("/api/v1/dealership/vehicles", json=body, headers=d.as_("sales_manager"))
    assert r.status_code == 201, r.text
    return r.json()


def customer(client: Any, d: Dealer, given: str = "Taras") -> str:
    r = client.post("/api/v1/contacts", json={"given_name": given, "family_name": "Buyer"},
                    headers=d.as_("owner"))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def order(client: Any, d: Dealer, v: dict[str, Any], contact: str, who: str = "salesperson",
          **extra: Any) -> dict[str, Any]:
    body = {"contact_id": contact, "vehicle_id": v["id"], "colour_code": "F9R",
            "alternative_colours": ["9P9P", "1Z1Z"], **extra}
    r = client.post("/api/v1/dealership/orders", json=body, headers=d.as_(who))
    assert r.status_code == 201, r.text
    return r.json()


def promise(client: Any, d: Dealer, contact: str, who: str = "salesperson",
            days: float = 10, **extra: Any) -> dict[str, Any]:
    due = (datetime.now(UTC) + timedelta(days=days)).isoformat()
    body = {"kind": "call_back", "text": "Call back about the trade-in", "contact_id": contact,
            "due_at": due, "probability": 0.8, **extra}
    r = client.post("/api/v1/dealership/promises", json=body, headers=d.as_(who))
    assert r.status_code == 201, r.text
    return r.json()


def move(client: Any, d: Dealer, order_id: str, transition: str, who: str = "salesperson",
         **extra: Any) -> Any:
    return client.post(f"/api/v1/dealership/orders/{order_id}/transition",
                       json={"transition": transition, **extra}, headers=d.as_(who))


def deliver(client: Any, d: Dealer, order_id: str, who: str = "sales_manager") -> None:
    """Take an order through every stage to delivery (a deposit first)."""
    client.post(f"/api/v1/dealership/orders/{order_id}/deposits", headers=d.as_(who),
                json={"amount_minor": 1000, "currency": "EUR", "receipt": "R"})
    for stage, extra in (("deposit_paid", {}), ("allocated", {}),
                         ("ordered", {"manufacturer_order_no": "M"}),
                         ("scheduled", {"production_week": "2030-W01"}),
                         ("produced", {"vin": "TMBJJ7NS5R8000555"}), ("in_transit", {}),
                         ("arrived", {}), ("delivered", {})):
        r = move(client, d, order_id, stage, who=who, **extra)
        assert r.status_code == 200, (stage, r.text)
