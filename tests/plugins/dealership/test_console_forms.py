"""The console forms added to the dealership screens, over plain HTTP: trade-in, financing
(a declined application refunding the deposit), F&I products and their chargebacks on the
order page; quotas on the leaderboard; the showroom's appointments and walk-ins; marketing
messages; the staff's branches — in Ukrainian too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.console.support import sign_in
from tests.plugins.dealership.support import GOOD_VIN, customer, dealer, order, vehicle

BASE = "/apps/dealership"
API = "/api/v1/dealership"


def test_trade_in_financing_and_products_from_the_order_page(client):
    d = dealer(client)
    o = order(client, d, vehicle(client, d), customer(client, d, "Petro"))
    csrf = sign_in(client, d.tenant)
    url = f"{BASE}/orders/{o['id']}"
    client.post(url + "/deposits", data={"_csrf": csrf, "currency": "EUR", "amount": "1000",
                                         "receipt": "R-1"}, follow_redirects=False)
    bad = client.post(url + "/trade-ins", data={
        "_csrf": csrf, "ti_vin": "NOT-A-VIN", "ti_mileage_km": "52000", "ti_condition": "good",
        "ti_actual_cash_value": "9000", "ti_allowance": "9500", "ti_valid_until": "2031-01-01"},
        follow_redirects=False)
    assert bad.status_code == 422 and 'id="f-ti_vin-error"' in bad.text
    # What was typed stays in the refused form, to correct rather than type again.
    assert 'name="ti_mileage_km" type="number" value="52000"' in bad.text
    assert '<option value="good" selected>' in bad.text and 'value="NOT-A-VIN"' in bad.text
    r = client.post(url + "/trade-ins", data={
        "_csrf": csrf, "ti_vin": GOOD_VIN, "ti_mileage_km": "52000", "ti_condition": "good",
        "ti_actual_cash_value": "9000", "ti_allowance": "9500", "ti_payoff": "2000",
        "ti_lienholder": "PrivatBank", "ti_valid_until": "2031-01-01"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    r = client.post(url + "/financing", data={
        "_csrf": csrf, "fin_lender": "Raiffeisen", "fin_amount": "30000",
        "fin_lender_reference": "4111 1111 1111 1111"}, follow_redirects=False)
    assert r.status_code == 422 and "card number" in r.text
    r = client.post(url + "/financing", data={"_csrf": csrf, "fin_lender": "Raiffeisen",
                                              "fin_amount": "30000"}, follow_redirects=False)
    assert r.status_code == 303
    app = client.get(f"{API}/orders/{o['id']}/financing", headers=d.as_("owner")).json()
    app_id = app["items"][0]["id"]
    r = client.post(f"{url}/financing/{app_id}/decision", data={
        "_csrf": csrf, "status": "declined", "refund_deposit": "on"}, follow_redirects=False)
    assert r.status_code == 303
    r = client.post(url + "/products", data={"_csrf": csrf, "fi_kind": "gap",
                                             "fi_provider": "Allianz", "fi_price": "800",
                                             "fi_cost": "300"}, follow_redirects=False)
    assert r.status_code == 303
    product = client.get(f"{API}/orders/{o['id']}/products",
                         headers=d.as_("owner")).json()["items"][0]
    too_much = client.post(f"{url}/products/{product['id']}/chargeback", data={
        "_csrf": csrf, "amount": "900", "reason": "Cancelled"}, follow_redirects=False)
    assert too_much.status_code == 422 and "at most the price" in too_much.text
    r = client.post(f"{url}/products/{product['id']}/chargeback", data={
        "_csrf": csrf, "amount": "200", "reason": "Cancelled in month two"},
        follow_redirects=False)
    assert r.status_code == 303
    api = client.get(f"{API}/orders/{o['id']}", headers=d.as_("owner")).json()
    assert api["trade_in_minor"] == 950000 and api["deposit_held_minor"] == 0
    page = client.get(url).text
    assert "PrivatBank" in page and "declined" in page and "Allianz" in page


def test_quotas_showroom_marketing_and_branches_screens(client):
    d = dealer(client)
    c = customer(client, d, "Marta")
    csrf = sign_in(client, d.tenant)
    today = datetime.now(UTC).date()
    r = client.post(BASE + "/quotas", data={
        "_csrf": csrf, "currency": "EUR", "member_id": d.members["salesperson"],
        "period_start": today.isoformat(), "period_end": (today + timedelta(days=30)).isoformat(),
        "units": "8", "bonus": "150"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    bad = client.post(BASE + "/quotas", data={
        "_csrf": csrf, "currency": "EUR", "member_id": d.members["salesperson"],
        "period_start": today.isoformat(), "period_end": "2000-01-01", "units": "8"},
        follow_redirects=False)
    assert bad.status_code == 422 and 'id="f-period_end-error"' in bad.text
    board = client.get(BASE + "/contests").text
    assert "Salesperson Person" in board and "Set a quota…" in board
    # The showroom lists today's (UTC) appointments: book one later today, even late at night.
    now = datetime.now(UTC)
    soon = min(now + timedelta(hours=2), now.replace(hour=23, minute=59)).strftime(
        "%Y-%m-%dT%H:%M")
    r = client.post(BASE + "/floor/appointments", data={
        "_csrf": csrf, "contact_id": c, "scheduled_at": soon, "purpose": "Test drive"},
        follow_redirects=False)
    assert r.status_code == 303, r.text
    past = client.post(BASE + "/floor/appointments", data={
        "_csrf": csrf, "contact_id": c, "scheduled_at": "2020-01-01T10:00"},
        follow_redirects=False)
    assert past.status_code == 422 and "must be in the future" in past.text
    r = client.post(BASE + "/floor/visits", data={"_csrf": csrf, "visit_contact_id": c,
                                                  "source": "walk_in"}, follow_redirects=False)
    assert r.status_code == 303
    floor = client.get(BASE + "/floor").text
    assert "Test drive" in floor and "Marta" in floor and "walk_in" in floor
    r = client.post(BASE + "/marketing", data={
        "_csrf": csrf, "subject": "Open day", "body": "Come on Saturday", "channel": "email",
        "audience": "customers"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert "Open day" in client.get(BASE + "/marketing").text
    r = client.post(f"{BASE}/staff/{d.members['sales_manager']}",
                    data={"_csrf": csrf, "branch": "Odesa"}, follow_redirects=False)
    assert r.status_code == 303
    assert 'value="Odesa"' in client.get(BASE + "/staff").text
    report = client.get(BASE + "/reports").text
    assert 'id="day-traffic">1<' in report
    client.post("/preferences", data={"language": "uk", "_csrf": csrf})
    assert "Відвідувачі сьогодні" in client.get(BASE + "/floor").text
    assert "Написати клієнтам" in client.get(BASE + "/marketing").text
