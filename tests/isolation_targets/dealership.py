"""Dealership endpoints: vehicles, stock units, orders (and their stages, money, stock,
dates, history), promises (and their decisions), contests, staff branches, appointments,
marketing messages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import TenantHandle
from tests.isolation_targets import Target

MODULES = ("dealership",)
D = "/api/v1/dealership"


def _vehicle(client, t: TenantHandle) -> dict[str, str]:
    r = client.post(f"{D}/vehicles", headers=t.headers, json={
        "make": "Victim", "model": "V", "model_year": 2026, "trim": "Base",
        "colours": [{"code": "W", "name": "White"}, {"code": "B", "name": "Black"}],
        "base_price_minor": 100000, "currency": "EUR"})
    assert r.status_code == 201, r.text
    return {"vehicle_id": r.json()["id"]}


def _unit(client, t: TenantHandle) -> dict[str, str]:
    ids = _vehicle(client, t)
    r = client.post(f"{D}/stock", headers=t.headers, json={
        "vehicle_id": ids["vehicle_id"], "vin": "WVWZZZ1JZ3W386752", "colour_code": "W"})
    assert r.status_code == 201, r.text
    return {**ids, "unit_id": r.json()["id"]}


def _order(client, t: TenantHandle) -> dict[str, str]:
    ids = _vehicle(client, t)
    contact = client.post("/api/v1/contacts", json={"given_name": "Victim"}, headers=t.headers)
    r = client.post(f"{D}/orders", headers=t.headers, json={
        "contact_id": contact.json()["id"], "vehicle_id": ids["vehicle_id"],
        "colour_code": "W", "alternative_colours": ["B"]})
    assert r.status_code == 201, r.text
    return {**ids, "order_id": r.json()["id"], "contact_id": contact.json()["id"]}


def _promise(client, t: TenantHandle) -> dict[str, str]:
    ids = _order(client, t)
    r = client.post(f"{D}/promises", headers=t.headers, json={
        "kind": "we_owe", "text": "Second key", "contact_id": ids["contact_id"],
        "order_id": ids["order_id"], "probability": 0.9,
        "due_at": (datetime.now(UTC) + timedelta(days=5)).isoformat()})
    assert r.status_code == 201, r.text
    return {**ids, "promise_id": r.json()["id"]}


def _application(client, t: TenantHandle) -> dict[str, str]:
    ids = _order(client, t)
    r = client.post(f"{D}/orders/{ids['order_id']}/financing", headers=t.headers,
                    json={"lender": "Bank", "amount_minor": 1000})
    assert r.status_code == 201, r.text
    return {**ids, "application_id": r.json()["id"]}


def _product(client, t: TenantHandle) -> dict[str, str]:
    ids = _order(client, t)
    r = client.post(f"{D}/orders/{ids['order_id']}/products", headers=t.headers,
                    json={"kind": "gap", "provider": "P", "price_minor": 1000})
    assert r.status_code == 201, r.text
    return {**ids, "product_id": r.json()["id"]}


def _contest(client, t: TenantHandle) -> dict[str, str]:
    r = client.post(f"{D}/incentives/contests", headers=t.headers, json={
        "name": "Victim cup", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
        "measure": "units"})
    assert r.status_code == 201, r.text
    return {"contest_id": r.json()["id"]}


def _member(client, t: TenantHandle) -> dict[str, str]:
    r = client.get(f"{D}/staff", headers=t.headers)
    assert r.status_code == 200, r.text
    return {"member_id": r.json()["items"][0]["member_id"]}


def _appointment(client, t: TenantHandle) -> dict[str, str]:
    contact = client.post("/api/v1/contacts", json={"given_name": "Victim"}, headers=t.headers)
    r = client.post(f"{D}/appointments", headers=t.headers, json={
        "contact_id": contact.json()["id"],
        "scheduled_at": (datetime.now(UTC) + timedelta(days=2)).isoformat()})
    assert r.status_code == 201, r.text
    return {"appointment_id": r.json()["id"]}


def _campaign(client, t: TenantHandle) -> dict[str, str]:
    contact = client.post("/api/v1/contacts", json={"given_name": "Victim"}, headers=t.headers)
    r = client.post(f"{D}/marketing/messages", headers=t.headers, json={
        "subject": "Spring service", "body": "Tyres", "channel": "email",
        "audience": "contacts", "contact_ids": [contact.json()["id"]]})
    assert r.status_code == 201, r.text
    return {"campaign_id": r.json()["id"]}


ORDER = D + "/orders/{order_id}"
P = D + "/promises/{promise_id}"
LATER = "2099-01-01T00:00:00Z"
TARGETS: dict[str, Target] = {
    D + "/vehicles/{vehicle_id}": Target(_vehicle, {"GET": None, "PATCH": {"trim": "Hacked"}},
                                        MODULES),
    D + "/stock/{unit_id}": Target(_unit, {"GET": None, "PATCH": {"status": "in_transit"}},
                                   MODULES),
    ORDER: Target(_order, {"GET": None, "PATCH": {"colour_code": "B"}}, MODULES),
    ORDER + "/transition": Target(_order, {"POST": {"transition": "cancel"}}, MODULES),
    ORDER + "/deposits": Target(_order, {"POST": {"amount_minor": 100, "currency": "EUR",
                                              "receipt": "x"}}, MODULES),
    ORDER + "/refunds": Target(_order, {"POST": {"amount_minor": 1, "reason": "x"}}, MODULES),
    ORDER + "/payments": Target(_order, {"GET": None}, MODULES),
    ORDER + "/reserve": Target(_order, {"POST": {
        "stock_unit_id": "01a23500-0000-7000-8000-000000000000"}}, MODULES),
    ORDER + "/release": Target(_order, {"POST": None}, MODULES),
    ORDER + "/delivery-date": Target(_order, {"POST": {"expected_delivery": "2099-01-01",
                                                   "reason": "x"}}, MODULES),
    ORDER + "/history": Target(_order, {"GET": None}, MODULES),
    ORDER + "/trade-ins": Target(_order, {"GET": None, "POST": {
        "vin": "WVWZZZ1JZ3W386752", "mileage_km": 1, "condition": "good",
        "actual_cash_value_minor": 1, "allowance_minor": 1, "valid_until": "2099-01-01"}},
        MODULES),
    ORDER + "/financing": Target(_order, {"GET": None, "POST": {
        "lender": "x", "amount_minor": 1}}, MODULES),
    ORDER + "/financing/{application_id}/decision": Target(_application, {"POST": {
        "status": "declined", "refund_deposit": True}}, MODULES),
    ORDER + "/products": Target(_order, {"GET": None, "POST": {
        "kind": "gap", "provider": "x", "price_minor": 1}}, MODULES),
    ORDER + "/products/{product_id}/chargeback": Target(_product, {"POST": {
        "amount_minor": 1, "reason": "x"}}, MODULES),
    P: Target(_promise, {"GET": None}, MODULES),
    P + "/chain": Target(_promise, {"GET": None}, MODULES),
    P + "/resolve": Target(_promise, {"POST": {"outcome": "kept", "evidence": "x"}}, MODULES),
    P + "/renegotiate": Target(_promise, {"POST": {"due_at": LATER, "probability": 0.5,
                                                   "evidence": "x"}}, MODULES),
    D + "/staff/{member_id}": Target(_member, {"PUT": {"branch": "Stolen"}}, MODULES),
    D + "/appointments/{appointment_id}": Target(_appointment, {"GET": None}, MODULES),
    D + "/appointments/{appointment_id}/outcome": Target(_appointment, {
        "POST": {"outcome": "cancelled"}}, MODULES),
    D + "/marketing/messages/{campaign_id}": Target(_campaign, {"GET": None}, MODULES),
    D + "/marketing/messages/{campaign_id}/recipients": Target(_campaign, {"GET": None},
                                                              MODULES),
    D + "/incentives/contests/{contest_id}": Target(_contest, {"GET": None}, MODULES),
    D + "/incentives/contests/{contest_id}/end": Target(_contest, {"POST": None}, MODULES),
    D + "/incentives/contests/{contest_id}/leaderboard": Target(_contest, {"GET": None},
                                                                MODULES),
}
