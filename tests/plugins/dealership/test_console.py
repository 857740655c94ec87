"""The dealership's console screens over plain HTTP: the order board, a new order through
its form, the order page (colours, deposits, stages, promised dates, promises), the
promises due with one-click decisions, the customer panel, the report and leaderboard, in
the member's language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.conftest import sign_up
from tests.console.support import sign_in
from tests.plugins.dealership.support import customer, dealer, order, promise, vehicle

BASE = "/apps/dealership"


def test_hidden_until_enabled(client):
    t = sign_up(client)
    sign_in(client, t)
    assert client.get(BASE + "/").status_code == 404
    assert f'href="{BASE}/"' not in client.get("/").text


def test_an_order_from_the_form_to_its_page(client):
    d = dealer(client)
    v, c = vehicle(client, d), customer(client, d, "Oleh")
    csrf = sign_in(client, d.tenant)
    home = client.get("/").text
    assert f'href="{BASE}/"' in home and f'href="{BASE}/promises"' in home
    form = client.get(BASE + "/orders/new")
    assert form.status_code == 200 and "Moon white" in form.text and "Oleh" in form.text
    bad = client.post(BASE + "/orders", data={
        "_csrf": csrf, "contact_id": c, "vehicle_id": v["id"], "colour_code": "F9R",
        "alternative_colours": ["F9R"]}, follow_redirects=False)
    assert bad.status_code == 422 and "each colour once" in bad.text
    r = client.post(BASE + "/orders", data={
        "_csrf": csrf, "contact_id": c, "vehicle_id": v["id"], "colour_code": "F9R",
        "alternative_colours": ["1Z1Z", "9P9P"], "discount": "1 000,50",
        "expected_delivery": "2031-05-01"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page_url = r.headers["location"]
    order_id = page_url.rsplit("/", 1)[-1]
    api = client.get(f"/api/v1/dealership/orders/{order_id}", headers=d.as_("owner")).json()
    assert api["alternative_colours"] == ["1Z1Z", "9P9P"] and api["discount_minor"] == 100050
    page = client.get(page_url)
    assert page.status_code == 200
    assert "Velvet red" in page.text and "1. 1Z1Z" in page.text and "2. 9P9P" in page.text
    r = client.post(page_url + "/deposits", data={"_csrf": csrf, "currency": "EUR",
                                                  "amount": "2500", "receipt": "K-17"},
                    follow_redirects=False)
    assert r.status_code == 303
    r = client.post(page_url + "/transition", data={"_csrf": csrf, "transition": "allocated"},
                    follow_redirects=False)
    assert r.status_code == 409 and "not allowed" in r.text  # one stage at a time
    r = client.post(page_url + "/transition", data={"_csrf": csrf,
                                                    "transition": "deposit_paid"},
                    follow_redirects=False)
    assert r.status_code == 303
    r = client.post(page_url + "/delivery-date", data={
        "_csrf": csrf, "expected_delivery": "2031-06-01", "reason": "Port congestion"},
        follow_redirects=False)
    assert r.status_code == 303
    r = client.post(page_url + "/promises", data={
        "_csrf": csrf, "kind": "we_owe", "text": "Roof rails fitted free", "due_on": "2031-06-01",
        "probability": "70", "fulfilled_by": "accessories"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(page_url).text
    assert "Port congestion" in page and "Roof rails fitted free" in page and "K-17" in page
    assert 'id="order-stage">deposit paid<' in page  # a human label, never the raw key
    assert "70% likely" in page
    r = client.post(page_url + "/promises", data={
        "_csrf": csrf, "kind": "we_owe", "text": "x", "due_on": "2031-06-01",
        "probability": "170"}, follow_redirects=False)
    assert r.status_code == 422 and "probability" in r.text.lower()
    r = client.post(f"/api/v1/dealership/orders/{order_id}/financing", headers=d.as_("owner"),
                    json={"lender": "Raiffeisen", "amount_minor": 3000000})
    assert r.status_code == 201
    page = client.get(page_url).text
    assert "Raiffeisen" in page and "submitted" in page
    # The customer page shows what we promised this person.
    customer_page = client.get(f"/contacts/{c}").text
    assert 'id="panel-dealership-promises"' in customer_page
    assert "Roof rails fitted free" in customer_page


def test_promises_due_with_one_click_decisions_and_the_managers_screens(client):
    d = dealer(client)
    c = customer(client, d, "Iryna")
    p = promise(client, d, c, days=2, text="Call back about the lease")
    q = promise(client, d, c, days=3, text="Winter tyres on delivery", kind="we_owe")
    csrf = sign_in(client, d.tenant)
    page = client.get(BASE + "/promises")
    assert page.status_code == 200
    assert "Call back about the lease" in page.text and "Iryna" in page.text
    r = client.post(f"{BASE}/promises/{p['id']}/resolve", data={
        "_csrf": csrf, "outcome": "kept", "back": "https://evil.example/"},
        follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == BASE + "/promises"
    again = client.post(f"{BASE}/promises/{p['id']}/resolve",
                        data={"_csrf": csrf, "outcome": "broken"}, follow_redirects=False)
    assert again.status_code == 409 and "already kept" in again.text
    r = client.post(f"{BASE}/promises/{q['id']}/renegotiate", data={
        "_csrf": csrf, "due_on": "2031-01-31", "probability": "60",
        "evidence": "Tyres back-ordered, customer agreed"}, follow_redirects=False)
    assert r.status_code == 303
    listed = client.get(BASE + "/promises").text
    assert "Call back about the lease" not in listed  # decided
    assert "Winter tyres on delivery" not in listed  # renegotiated to next year
    report = client.get(BASE + "/reports")
    assert report.status_code == 200 and "Kept-rate per salesperson" in report.text
    soon = (datetime.now(UTC) + timedelta(days=5)).date().isoformat()
    by_kind = client.get(BASE + "/reports", params={"group_by": "kind", "to": soon})
    assert by_kind.status_code == 200 and "Kept-rate per kind of promise" in by_kind.text
    assert re.search(r'<th scope="row">call back</th><td>1</td><td>1</td>', by_kind.text)
    by_branch = client.get(BASE + "/reports", params={"group_by": "branch", "to": soon})
    assert "Kept-rate per branch" in by_branch.text
    board = client.get(BASE + "/contests")
    assert board.status_code == 200 and "No contests yet." in board.text
    assert client.get(BASE + "/").status_code == 200
    client.post("/preferences", data={"language": "uk", "_csrf": csrf})
    uk = client.get(BASE + "/promises").text
    assert "Обіцянки до виконання" in uk and "Обіцянок немає." in uk
    assert re.search(r"Замовлення", client.get(BASE + "/").text)


def test_module_settings_show_choices_in_words_of_the_readers_language(client):
    d = dealer(client)
    csrf = sign_in(client, d.tenant)
    page = client.get("/settings/modules").text
    assert '<option value="europe" selected>Europe</option>' in page
    assert '<option value="scheduled" selected>Scheduled for production</option>' in page
    assert '<option value="email" selected>By email</option>' in page
    assert ">europe<" not in page and ">scheduled<" not in page
    # Saving posts the values, not the words.
    r = client.post("/settings/modules/dealership/settings", data={
        "_csrf": csrf, "market": "north_america", "change_cutoff": "ordered",
        "remind_days_before": "3", "tell_customer_by": "sms", "currency": "USD"},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    api = client.get("/api/v1/modules/dealership/settings", headers=d.as_("owner")).json()
    assert (api["market"], api["change_cutoff"], api["tell_customer_by"]) == (
        "north_america", "ordered", "sms")
    client.post("/preferences", data={"language": "uk", "_csrf": csrf})
    uk = client.get("/settings/modules").text
    assert '<option value="north_america" selected>Північна Америка</option>' in uk
    assert '<option value="ordered" selected>Замовлено на заводі</option>' in uk
    assert '<option value="sms" selected>SMS</option>' in uk
    client.post("/preferences", data={"language": "ru", "_csrf": csrf})
    assert '<option value="europe">Европа</option>' in client.get("/settings/modules").text


def test_the_order_page_shows_a_renegotiated_promise_as_one_chain(client):
    d = dealer(client)
    c = customer(client, d, "Yarema")
    o = order(client, d, vehicle(client, d), c)
    first = promise(client, d, c, kind="delivery_date", text="The car by spring",
                    order_id=o["id"], days=20)
    P = "/api/v1/dealership/promises"
    h = d.as_("salesperson")
    second = client.post(f"{P}/{first['id']}/renegotiate", headers=h, json={
        "due_at": (datetime.now(UTC) + timedelta(days=40)).isoformat(), "probability": 0.6,
        "evidence": "Factory slipped a week; customer agreed"}).json()
    third = client.post(f"{P}/{second['id']}/renegotiate", headers=h, json={
        "due_at": (datetime.now(UTC) + timedelta(days=50)).isoformat(), "probability": 0.5,
        "evidence": "Ship delayed"}).json()
    chain = [p["id"] for p in client.get(f"{P}/{first['id']}/chain", headers=h).json()["items"]]
    assert chain == [first["id"], second["id"], third["id"]]
    sign_in(client, d.tenant)
    page = client.get(f"{BASE}/orders/{o['id']}").text
    # One row to decide on (the latest), its history beside it, oldest first.
    assert page.count('class="row promise') == 1 and f'id="promise-{third["id"]}"' in page
    block = page[page.index(f'id="chain-{third["id"]}"'):]
    block = block[:block.index("</ol>")]
    assert "Renegotiated: The car by spring" in block
    assert block.index("Factory slipped a week") < block.index("Ship delayed")
    assert block.count("renegotiated</span>") == 2 and 'aria-current="true"' in block


def test_the_order_board_filters_by_salesperson_branch_stage_and_overdue(client):
    d = dealer(client)
    v = vehicle(client, d)
    order(client, d, v, customer(client, d, "Late"), expected_delivery="2020-01-01")
    order(client, d, v, customer(client, d, "Rivals"), who="rival", branch="Lviv")
    on_time = order(client, d, v, customer(client, d, "Ontime"),
                    expected_delivery="2099-01-01")
    r = client.post(f"/api/v1/dealership/orders/{on_time['id']}/deposits",
                    headers=d.as_("salesperson"),
                    json={"amount_minor": 1000, "currency": "EUR", "receipt": "R"})
    assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/dealership/orders/{on_time['id']}/transition",
                    headers=d.as_("salesperson"), json={"transition": "deposit_paid"})
    assert r.status_code == 200, r.text
    sign_in(client, d.tenant)

    def names(**params: str) -> set[str]:
        page = client.get(BASE + "/", params=params)
        assert page.status_code == 200
        return {n for n in ("Late", "Rivals", "Ontime") if f">{n} Buyer<" in page.text}

    assert names() == {"Late", "Rivals", "Ontime"}
    assert names(overdue="1") == {"Late"}
    assert names(branch="Lviv") == {"Rivals"}
    assert names(stage="deposit_paid") == {"Ontime"}
    assert names(salesperson_id=d.members["rival"]) == {"Rivals"}
    assert names(stage="nonsense", salesperson_id="not-a-uuid") == {"Late", "Rivals", "Ontime"}
    page = client.get(BASE + "/", params={"stage": "deposit_paid"}).text
    assert 'id="stage-quote"' not in page and '<option value="deposit_paid" selected>' in page
