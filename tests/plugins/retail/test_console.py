"""The retail screens over HTTP: hidden while the module is off, the loyalty panel on the
customer page, the member page and the programs report for managers only, the till's
refusal shown in place and nothing written."""

from __future__ import annotations

from tests.console.support import sign_in
from tests.plugins.retail.support import buy, customer, shop


def test_screens_follow_the_module_and_roles(client):
    s = shop(client)
    member = customer(client, s)
    card = member["cards"][0]["number"]
    buy(client, s, card, "c-1", "40")
    sign_in(client, s.tenant)
    page = client.get(f"/contacts/{member['contact_id']}")
    assert page.status_code == 200
    assert f"/apps/retail/members/{member['id']}" in page.text and card in page.text
    ledger = client.get(f"/apps/retail/members/{member['id']}")
    assert ledger.status_code == 200 and "40" in ledger.text
    assert client.get("/apps/retail/programs").status_code == 200
    till = client.get(f"/apps/retail/?card={card}")
    assert till.status_code == 200 and "Olena Shevchenko" in till.text
    wrong = client.get("/apps/retail/?card=4242424242424241")
    assert wrong.status_code == 422 and "check digit" in wrong.text

    client.cookies.clear()
    sign_in(client, s.tenant, email=f"till-{s.tenant.slug}@example.com",
            password="cashier password 1")
    assert client.get("/apps/retail/programs").status_code == 403
    assert client.get(f"/apps/retail/?card={card}").status_code == 200

    client.cookies.clear()
    assert client.delete("/api/v1/modules/retail", headers=s.headers).status_code in (200, 204)
    sign_in(client, s.tenant)
    assert client.get("/apps/retail/").status_code == 404
    assert f"/apps/retail/members/{member['id']}" not in client.get(
        f"/contacts/{member['contact_id']}").text


def test_ukrainian_till(client):
    s = shop(client)
    card = customer(client, s, patronymic="Petrivna", language="uk")["cards"][0]["number"]
    sign_in(client, s.tenant)
    page = client.get(f"/apps/retail/?card={card}", headers={"Accept-Language": "uk"})
    assert page.status_code == 200
    assert "Баланс" in page.text and "Вітаємо, Olena Petrivna!" in page.text
    assert "Olena Petrivna" in page.text


def test_programs_page_registers_card_stock(client):
    from rapport_plugins.retail.cardnumbers import generated

    s = shop(client, return_rule="negative", tier_period="anniversary")
    csrf = sign_in(client, s.tenant)
    page = client.get("/apps/retail/programs", headers={"Accept-Language": "uk"})
    assert page.status_code == 200
    assert "Запас карток" in page.text and "рік від дати вступу" in page.text
    url = f"/apps/retail/programs/{s.program_id}/card-stock"
    first = generated("6100", 1)
    r = client.post(url, data={"_csrf": csrf, "first": first, "count": "250",
                               "label": "PO-42"})
    assert r.status_code == 200 and "PO-42" in r.text and generated("6100", 250) in r.text
    bad = client.post(url, data={"_csrf": csrf, "first": first[:-1] + "0", "count": "5"})
    assert bad.status_code == 422 and "check digit" in bad.text
    clash = client.post(url, data={"_csrf": csrf, "first": first, "count": "x"})
    assert clash.status_code == 422 and "count" in clash.text
    listed = client.get(f"/api/v1/retail/programs/{s.program_id}/card-stock",
                        headers=s.headers).json()
    assert [x["label"] for x in listed] == ["PO-42"]  # the refusals wrote nothing
    client.cookies.clear()
