"""The catalogue through HTTP: vehicle definitions with colours, stock units by VIN."""

from __future__ import annotations

from tests.plugins.dealership.support import BAD_CHECK_VIN, GOOD_VIN, dealer, vehicle


def test_vehicle_definitions_with_colour_codes(client):
    d = dealer(client)
    v = vehicle(client, d)
    assert [c["code"] for c in v["colours"]] == ["2Y2Y", "F9R", "9P9P", "1Z1Z"]
    r = client.get(f"/api/v1/dealership/vehicles/{v['id']}", headers=d.as_("salesperson"))
    assert r.status_code == 200 and r.json()["trim"] == "Style"
    again = client.post("/api/v1/dealership/vehicles", headers=d.as_("sales_manager"), json={
        k: v[k] for k in ("make", "model", "model_year", "trim", "colours", "base_price_minor",
                          "currency")})
    assert again.status_code == 409
    listed = client.get("/api/v1/dealership/vehicles?make=Skoda", headers=d.as_("salesperson"))
    assert [x["id"] for x in listed.json()["items"]] == [v["id"]]
    r = client.post("/api/v1/dealership/vehicles", headers=d.as_("salesperson"), json={
        "make": "X", "model": "Y", "model_year": 2026, "trim": "Z",
        "colours": [{"code": "A", "name": "a"}], "base_price_minor": 1, "currency": "EUR"})
    assert r.status_code == 403


def test_stock_units_need_a_valid_vin_and_an_offered_colour(client):
    d = dealer(client)
    v = vehicle(client, d)
    url, h = "/api/v1/dealership/stock", d.as_("sales_manager")
    for vin, rule in (("SHORT", "17 characters"), ("1M8GDM9AXKP04278O", "I, O and Q"),
                      ("1M8GDM9AXKP04278I", "I, O and Q")):
        r = client.post(url, headers=h, json={"vehicle_id": v["id"], "vin": vin,
                                              "colour_code": "F9R"})
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "vin" and rule in r.text
    # Europe does not use the check digit: position 9 is free there.
    r = client.post(url, headers=h, json={"vehicle_id": v["id"], "vin": BAD_CHECK_VIN,
                                          "colour_code": "F9R"})
    assert r.status_code == 201, r.text
    assert client.post(url, headers=h, json={"vehicle_id": v["id"], "vin": BAD_CHECK_VIN,
                                             "colour_code": "F9R"}).status_code == 409
    r = client.post(url, headers=h, json={"vehicle_id": v["id"], "vin": GOOD_VIN,
                                          "colour_code": "PINK"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "colour_code"
    listed = client.get(url + "?status=in_stock", headers=d.as_("salesperson")).json()["items"]
    assert [u["vin"] for u in listed] == [BAD_CHECK_VIN]


def test_north_american_market_checks_the_check_digit(client):
    d = dealer(client, market="north_america")
    v = vehicle(client, d)
    url, h = "/api/v1/dealership/stock", d.as_("sales_manager")
    r = client.post(url, headers=h, json={"vehicle_id": v["id"], "vin": BAD_CHECK_VIN,
                                          "colour_code": "F9R"})
    assert r.status_code == 422 and "check digit" in r.text
    r = client.post(url, headers=h, json={"vehicle_id": v["id"], "vin": GOOD_VIN.lower(),
                                          "colour_code": "F9R", "status": "in_transit"})
    assert r.status_code == 201, r.text
    assert r.json()["vin"] == GOOD_VIN and r.json()["status"] == "in_transit"
    patched = client.patch(f"{url}/{r.json()['id']}", headers=h, json={"status": "in_stock"})
    assert patched.status_code == 200 and patched.json()["status"] == "in_stock"
