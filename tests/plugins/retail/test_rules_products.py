"""Earning rules are edited (``PATCH /programs/{id}/rules/{rule_id}``, the project's patch
body: left out stays, ``null`` clears) and the edit applies to purchases from then on; the
console edits a rule from its form and maps products to categories on its own screen,
refusals beside the field with nothing written."""

from __future__ import annotations

from tests.console.support import sign_in
from tests.plugins.retail.support import R, buy, customer, shop


def test_patch_a_rule(client):
    s = shop(client)
    rules = f"{R}/programs/{s.program_id}/rules"
    rule = client.post(rules, json={"name": "Coffee x2", "sku": "COFFEE", "multiplier": "2"},
                       headers=s.headers).json()
    url = f"{rules}/{rule['id']}"
    card = customer(client, s)["cards"][0]["number"]
    coffee = [{"product": "COFFEE", "quantity": "1", "unit_price": "10"}]
    assert buy(client, s, card, "c-1", lines=coffee).json()["points_earned"] == 20
    r = client.patch(url, json={"multiplier": "3", "name": "Coffee x3"}, headers=s.headers)
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["multiplier"], r.json()["sku"]) == (
        "Coffee x3", "3", "COFFEE")
    assert buy(client, s, card, "c-2", lines=coffee).json()["points_earned"] == 30
    # From a SKU to a category: null clears the SKU in the same body.
    r = client.patch(url, json={"sku": None, "category": "drinks"}, headers=s.headers)
    assert r.status_code == 200 and (r.json()["sku"], r.json()["category"]) == (None, "drinks")
    # Refusals name the field and write nothing.
    both = client.patch(url, json={"sku": "TEA"}, headers=s.headers)
    assert both.status_code == 422 and "sku" in both.text
    for body, field in (({"multiplier": "0"}, "multiplier"), ({"multiplier": "abc"},
                                                                "multiplier"),
                        ({"name": ""}, "name"), ({"colour": "red"}, "colour"),
                        ({"starts_at": "2026-03-01T00:00:00Z",
                          "ends_at": "2026-02-01T00:00:00Z"}, "ends_at")):
        bad = client.patch(url, json=body, headers=s.headers)
        assert bad.status_code == 422 and field in bad.text, (body, bad.text)
    after = client.get(rules, headers=s.headers).json()
    assert [(x["name"], x["multiplier"], x["sku"], x["category"], x["ends_at"])
            for x in after] == [("Coffee x3", "3", None, "drinks", None)]
    assert client.patch(f"{rules}/{s.program_id}", json={"multiplier": "2"},
                        headers=s.headers).status_code == 404
    assert client.patch(url, json={"multiplier": "2"}, headers=s.cashier).status_code == 403


def test_console_edits_a_rule_and_maps_products(client):
    s = shop(client, time_zone="Europe/Kyiv")
    rule = client.post(f"{R}/programs/{s.program_id}/rules", headers=s.headers, json={
        "name": "Winter", "multiplier": "2", "category": "drinks",
        "starts_at": "2026-11-30T22:00:00Z", "ends_at": "2026-12-31T22:00:00Z"}).json()
    csrf = sign_in(client, s.tenant)
    base = f"/apps/retail/programs/{s.program_id}"
    page = client.get(base).text
    assert f'action="{base}/rules/{rule["id"]}"' in page and 'value="2026-12-31"' in page
    form = {"_csrf": csrf, "name": "Winter", "multiplier": "4", "sku": "",
            "category": "drinks", "starts_at": "2026-12-01", "ends_at": ""}
    bad = client.post(f"{base}/rules/{rule['id']}", data={**form, "sku": "TEA"})
    assert bad.status_code == 422 and f'id="rule-{rule["id"]}-category-error"' in bad.text
    assert 'value="TEA"' in bad.text  # what was typed is kept
    saved = client.post(f"{base}/rules/{rule['id']}", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    after = client.get(f"{R}/programs/{s.program_id}/rules", headers=s.headers).json()[0]
    assert (after["multiplier"], after["ends_at"]) == ("4", None)  # the emptied date clears
    assert after["starts_at"].startswith("2026-11-30T22:00")

    uk = client.get("/apps/retail/products", headers={"Accept-Language": "uk"}).text
    assert "Товари та категорії" in uk and "Товарів не знайдено." in uk
    set_it = client.post("/apps/retail/products", data={"_csrf": csrf, "sku": "MILK-1L",
                                                        "category": "dairy"},
                         follow_redirects=False)
    assert set_it.status_code == 303 and set_it.headers["location"].endswith("q=MILK-1L")
    client.post("/apps/retail/products", data={"_csrf": csrf, "sku": "GIFT-100",
                                               "category": "gift_card"})
    listed = client.get("/apps/retail/products").text
    assert "MILK-1L" in listed and "gift_card" in listed
    found = client.get("/apps/retail/products?q=dai").text
    assert "MILK-1L" in found and "GIFT-100" not in found
    bad = client.post("/apps/retail/products", data={"_csrf": csrf, "sku": "X",
                                                     "category": ""})
    assert bad.status_code == 422 and 'id="product-category-error"' in bad.text
    assert 'value="X"' in bad.text
    # The map is what earning reads: a gift card earns nothing, a category's rule applies.
    card = customer(client, s)["cards"][0]["number"]
    r = buy(client, s, card, "g-1", lines=[
        {"product": "GIFT-100", "quantity": "1", "unit_price": "100"},
        {"product": "MILK-1L", "quantity": "1", "unit_price": "30"}])
    assert r.json()["points_earned"] == 30
    cashier = client.get("/apps/retail/products", headers=s.cashier)
    assert cashier.status_code == 403
