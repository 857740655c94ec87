"""Correcting a vehicle definition through ``PATCH /vehicles/{id}``: only what is sent
changes, ``null`` clears body or engine, managers only, and a colour or option that an
order or a stock unit uses cannot be removed; nothing is written when refused."""

from __future__ import annotations

from tests.plugins.dealership.support import customer, dealer, order, vehicle

V = "/api/v1/dealership/vehicles"


def test_a_definition_is_corrected_field_by_field_and_refused_whole(client):
    d = dealer(client)
    v = vehicle(client, d)
    url, boss = f"{V}/{v['id']}", d.as_("sales_manager")
    r = client.patch(url, headers=boss, json={"trim": "Sportline", "engine": None,
                                              "base_price_minor": 4700000})
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["trim"], got["engine"], got["body"], got["base_price_minor"]) == (
        "Sportline", None, "SUV", 4700000)
    assert got["colours"] == v["colours"] and got["currency"] == "EUR"
    assert client.get(url, headers=boss).json() == got
    # Salespeople read the catalogue, managers keep it.
    assert client.patch(url, headers=d.as_("salesperson"), json={"trim": "X"}).status_code == 403
    # Bad input names the field; unknown fields and nulls for required ones are refused.
    twice = client.patch(url, headers=boss, json={"colours": [
        {"code": "F9R", "name": "Red"}, {"code": "F9R", "name": "Also red"}]})
    assert twice.status_code == 422 and twice.json()["errors"][0]["field"] == "colours"
    assert client.patch(url, headers=boss, json={"currency": "USD"}).status_code == 422
    assert client.patch(url, headers=boss, json={"make": None}).status_code == 422
    assert client.patch(url, headers=boss, json={"model_year": 1800}).status_code == 422
    # An order in Velvet red (Graphite grey and Magic black accepted) with the winter pack.
    order(client, d, v, customer(client, d), options=["WP1"])
    keep = [c for c in v["colours"] if c["code"] in ("F9R", "9P9P", "1Z1Z")]
    r = client.patch(url, headers=boss, json={"colours": keep[:2], "trim": "Lost"})
    assert r.status_code == 409 and "1Z1Z" in r.json()["detail"]
    r = client.patch(url, headers=boss, json={"options": []})
    assert r.status_code == 409 and "WP1" in r.json()["detail"]
    # Moon white is on nothing: it may go, renamed colours stay.
    renamed = [{**c, "name": c["name"].upper()} for c in keep]
    r = client.patch(url, headers=boss, json={"colours": renamed})
    assert r.status_code == 200 and [c["code"] for c in r.json()["colours"]] == [
        "F9R", "9P9P", "1Z1Z"]
    assert client.get(url, headers=boss).json()["trim"] == "Sportline"  # the refusal wrote nothing
    # The same make, model, year and trim as another definition.
    other = vehicle(client, d, trim="Base")
    r = client.patch(f"{V}/{other['id']}", headers=boss, json={"trim": "Sportline"})
    assert r.status_code == 409 and "already in the catalogue" in r.json()["detail"]
    assert client.patch(f"{V}/01a23500-0000-7000-8000-000000000000", headers=boss,
                        json={"trim": "X"}).status_code == 404
