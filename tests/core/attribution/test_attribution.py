"""Attribution: a purchase's credit shared among the contact's touches in the look-back
window by each model, per channel and per campaign; ad impressions logged through the
interactions API count as touches; bad input is a clear 4xx."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import TenantHandle, sign_up

BOUGHT = datetime(2026, 6, 15, 12, tzinfo=UTC)
PERIOD = {"from": "2026-06-01T00:00:00Z", "to": "2026-07-01T00:00:00Z"}


@pytest.fixture(scope="module")
def shop(client) -> TenantHandle:
    t = sign_up(client)
    r = client.post("/api/v1/contacts", headers=t.headers,
                    json={"given_name": "Iryna", "family_name": "Koval"})
    contact = r.json()["id"]
    for days, kind, channel, campaign in ((40, "visit", "store", None),
                                          (20, "ad_impression", "display", "Spring"),
                                          (5, "message", "email", "Spring"),
                                          (1, "call", "phone", None)):
        r = client.post("/api/v1/interactions", headers=t.headers, json={
            "contact_id": contact, "kind": kind, "channel": channel, "campaign": campaign,
            "occurred_at": (BOUGHT - timedelta(days=days)).isoformat()})
        assert r.status_code == 201, r.text
    r = client.post("/api/v1/transactions", headers=t.headers, json={
        "currency": "EUR", "channel": "store", "contact_id": contact,
        "occurred_at": BOUGHT.isoformat(),
        "lines": [{"product": "Coat", "quantity": "1", "unit_price": "90"}]})
    assert r.status_code == 201, r.text
    return t


def _report(client, t, **params) -> dict:
    r = client.get("/api/v1/attribution", headers=t.headers, params={**PERIOD, **params})
    assert r.status_code == 200, r.text
    return r.json()


def _by(rows: list[dict]) -> dict[str, float]:
    return {row["key"]: float(row["credit"]) for row in rows}


def test_single_touch_models(client, shop):
    last = _report(client, shop, model="last_touch")
    assert last["purchases"] == 1 and last["attributed"] == 1
    assert _by(last["channels"]) == {"phone": 1.0}
    assert last["channels"][0]["currency"] == "EUR"
    assert float(last["channels"][0]["revenue"]) == pytest.approx(90)
    assert last["campaigns"] == []
    first = _report(client, shop, model="first_touch")
    assert _by(first["channels"]) == {"display": 1.0}
    assert _by(first["campaigns"]) == {"Spring": 1.0}
    # A longer window reaches the visit 40 days before.
    assert _by(_report(client, shop, model="first_touch", window=60)["channels"]) == {
        "store": 1.0}


def test_shared_models(client, shop):
    linear = _report(client, shop, model="linear")
    assert _by(linear["channels"]) == pytest.approx(
        {"phone": 1 / 3, "email": 1 / 3, "display": 1 / 3}, abs=1e-4)
    assert _by(linear["campaigns"]) == pytest.approx({"Spring": 2 / 3}, abs=1e-4)
    decay = _by(_report(client, shop, model="time_decay")["channels"])
    weights = {"phone": 0.5 ** (1 / 7), "email": 0.5 ** (5 / 7), "display": 0.5 ** (20 / 7)}
    total = sum(weights.values())
    assert decay == pytest.approx({k: w / total for k, w in weights.items()}, abs=1e-4)
    assert sum(decay.values()) == pytest.approx(1, abs=1e-3)


def test_other_tenants_and_periods_see_nothing(client, shop):
    other = sign_up(client)
    assert _report(client, other)["purchases"] == 0
    empty = client.get("/api/v1/attribution", headers=shop.headers, params={
        "from": "2025-01-01T00:00:00Z", "to": "2025-02-01T00:00:00Z"}).json()
    assert empty["purchases"] == 0 and empty["channels"] == []


@pytest.mark.parametrize(("params", "status", "words"), [
    ({**PERIOD, "to": "2026-05-01T00:00:00Z"}, 422, "to"),
    ({**PERIOD, "model": "u_shaped"}, 422, "model"),
    ({**PERIOD, "window": "0"}, 422, "window"),
    ({"to": PERIOD["to"]}, 422, "from"),
])
def test_bad_input_is_named(client, shop, params, status, words):
    r = client.get("/api/v1/attribution", headers=shop.headers, params=params)
    assert r.status_code == status, r.text
    assert words in r.text
