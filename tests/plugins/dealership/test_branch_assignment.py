"""A branch manager gives orders, appointments, visits, promises and sale credit only to their
branch's people, and runs contests of their branch only — over HTTP, and the order page's
reassign form refusing another branch's member beside the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import add_member, login
from tests.console.support import sign_in
from tests.plugins.dealership.support import customer, dealer, deliver, order, vehicle

D = "/api/v1/dealership"
LVIV_PASSWORD = "lviv boss password"


@pytest.fixture(scope="module")
def shop(client):
    """Kyiv: the salesperson and the sales manager; Lviv: the rival and a second manager."""
    d = dealer(client)
    email = f"lviv-{d.tenant.slug}@example.com"
    m = add_member(client, d.tenant, email, role="sales_manager", full_name="Lviv Boss",
                   password=LVIV_PASSWORD)
    d.members["lviv_manager"] = m["id"]
    d.tokens["lviv_manager"] = login(client, d.tenant.slug, email, LVIV_PASSWORD)
    d.members["lviv_email"] = email
    for who, branch in (("salesperson", "Kyiv"), ("sales_manager", "Kyiv"),
                        ("rival", "Lviv"), ("lviv_manager", "Lviv")):
        r = client.put(f"{D}/staff/{d.members[who]}", json={"branch": branch},
                       headers=d.as_("owner"))
        assert r.status_code == 200, r.text
    return d


def _count(client, d, path):
    return len(client.get(f"{D}/{path}", headers=d.as_("owner")).json()["items"])


def test_a_branch_manager_assigns_only_their_branch_people(client, shop):
    d = shop
    v, c = vehicle(client, d), customer(client, d)
    boss, rival = d.as_("sales_manager"), d.members["rival"]
    mine = order(client, d, v, c)
    # Reassigning a Kyiv order to the Lviv salesperson: refused, naming the field, unchanged.
    r = client.patch(f"{D}/orders/{mine['id']}", headers=boss, json={"salesperson_id": rival})
    assert r.status_code == 422 and "salesperson_id" in r.text, r.text
    r = client.patch(f"{D}/orders/{mine['id']}", headers=boss, json={
        "splits": [{"member_id": d.members["salesperson"], "percent": 50},
                   {"member_id": rival, "percent": 50}]})
    assert r.status_code == 422 and "splits[1].member_id" in r.text, r.text
    after = client.get(f"{D}/orders/{mine['id']}", headers=boss).json()
    assert (after["salesperson_id"], after["splits"]) == (d.members["salesperson"], [])
    history = client.get(f"{D}/orders/{mine['id']}/history", headers=boss).json()["items"]
    assert [e["kind"] for e in history] == ["created"]
    # Nor on creation: an order, an appointment, a visit or a promise for the Lviv rival.
    orders_before = _count(client, d, "orders")
    r = client.post(f"{D}/orders", headers=boss, json={
        "contact_id": c, "vehicle_id": v["id"], "colour_code": "F9R", "salesperson_id": rival})
    assert r.status_code == 422 and "salesperson_id" in r.text
    assert _count(client, d, "orders") == orders_before
    soon = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    r = client.post(f"{D}/appointments", headers=boss, json={
        "contact_id": c, "scheduled_at": soon, "salesperson_id": rival})
    assert r.status_code == 422 and "salesperson_id" in r.text
    r = client.post(f"{D}/visits", headers=boss, json={
        "contact_id": c, "source": "walk_in", "salesperson_id": rival})
    assert r.status_code == 422 and "salesperson_id" in r.text
    assert client.get(f"{D}/visits", headers=d.as_("owner")).json()["items"] == []
    due = (datetime.now(UTC) + timedelta(days=5)).isoformat()
    r = client.post(f"{D}/promises", headers=boss, json={
        "kind": "call_back", "text": "Call", "contact_id": c, "due_at": due,
        "probability": 0.5, "promised_by": rival})
    assert r.status_code == 422 and "promised_by" in r.text
    # Their own people are fine, and a manager of the whole dealership may cross branches.
    r = client.post(f"{D}/orders", headers=boss, json={
        "contact_id": c, "vehicle_id": v["id"], "colour_code": "F9R",
        "salesperson_id": d.members["salesperson"]})
    assert r.status_code == 201 and r.json()["branch"] == "Kyiv", r.text
    r = client.patch(f"{D}/orders/{r.json()['id']}", headers=boss,
                     json={"salesperson_id": d.members["sales_manager"]})
    assert r.status_code == 200 and r.json()["salesperson_id"] == d.members["sales_manager"]
    r = client.patch(f"{D}/orders/{mine['id']}", headers=d.as_("owner"),
                     json={"salesperson_id": rival})
    assert r.status_code == 200 and r.json()["salesperson_id"] == rival


def test_contests_of_a_branch(client, shop):
    d = shop
    v = vehicle(client, d, trim="Contest")
    today = datetime.now(UTC).date()
    span = {"starts_on": today.replace(day=1).isoformat(), "ends_on": f"{today.year}-12-31",
            "measure": "units"}
    boss, lviv_boss, owner = d.as_("sales_manager"), d.as_("lviv_manager"), d.as_("owner")
    kyiv = client.post(f"{D}/incentives/contests", headers=boss,
                       json={**span, "name": "Kyiv sprint"})
    assert kyiv.status_code == 201 and kyiv.json()["branch"] == "Kyiv", kyiv.text
    r = client.post(f"{D}/incentives/contests", headers=boss,
                    json={**span, "name": "Poach", "branch": "Lviv"})
    assert r.status_code == 403 and "branch" in r.text
    lviv = client.post(f"{D}/incentives/contests", headers=owner,
                       json={**span, "name": "Lviv sprint", "branch": "Lviv"}).json()
    wide = client.post(f"{D}/incentives/contests", headers=owner,
                       json={**span, "name": "Everyone"}).json()
    assert (lviv["branch"], wide["branch"]) == ("Lviv", None)

    def seen(who):
        items = client.get(f"{D}/incentives/contests", headers=d.as_(who)).json()["items"]
        return {c["name"] for c in items}
    assert seen("sales_manager") == {"Kyiv sprint"}
    assert seen("lviv_manager") == {"Lviv sprint"}
    assert seen("salesperson") == {"Kyiv sprint", "Everyone"}
    assert seen("rival") == {"Lviv sprint", "Everyone"}
    assert seen("owner") == {"Kyiv sprint", "Lviv sprint", "Everyone"}
    for other in (lviv["id"], wide["id"]):
        assert client.get(f"{D}/incentives/contests/{other}", headers=boss).status_code == 404
        assert client.get(f"{D}/incentives/contests/{other}/leaderboard",
                          headers=boss).status_code == 404
    assert client.get(f"{D}/incentives/contests/{kyiv.json()['id']}",
                      headers=lviv_boss).status_code == 404
    # A branch's contest ranks the sales of that branch's orders; the wide one every sale.
    deliver(client, d, order(client, d, v, customer(client, d, "K"))["id"])
    deliver(client, d, order(client, d, v, customer(client, d, "L"), who="rival")["id"],
            who="lviv_manager")

    def standings(contest_id, who):
        board = client.get(f"{D}/incentives/contests/{contest_id}/leaderboard",
                           headers=d.as_(who)).json()
        return {s["member_id"]: s["units"] for s in board["standings"]}
    assert standings(kyiv.json()["id"], "sales_manager") == {d.members["salesperson"]: 1}
    assert standings(lviv["id"], "lviv_manager") == {d.members["rival"]: 1}
    assert standings(wide["id"], "owner") == {d.members["salesperson"]: 1,
                                              d.members["rival"]: 1}


def test_the_reassign_form_refuses_another_branch_in_place(client, shop):
    d = shop
    v, c = vehicle(client, d, trim="Form"), customer(client, d, "Form")
    theirs = order(client, d, v, c, who="rival")
    r = client.post(f"{D}/incentives/contests", headers=d.as_("lviv_manager"), json={
        "name": "Lviv form week", "starts_on": "2030-01-01", "ends_on": "2030-01-07",
        "measure": "units"})
    assert r.status_code == 201, r.text
    csrf = sign_in(client, d.tenant, email=d.members["lviv_email"], password=LVIV_PASSWORD)
    url = f"/apps/dealership/orders/{theirs['id']}"
    page = client.get(url).text
    assert 'id="f-salesperson_id"' in page
    assert d.members["lviv_manager"] in page and d.members["salesperson"] not in page
    r = client.post(f"{url}/salesperson", follow_redirects=False, data={
        "_csrf": csrf, "salesperson_id": d.members["salesperson"]})
    assert r.status_code == 422, r.text
    assert 'id="f-salesperson_id-error"' in r.text and "not one of Lviv" in r.text
    api = client.get(f"{D}/orders/{theirs['id']}", headers=d.as_("owner")).json()
    assert api["salesperson_id"] == d.members["rival"]
    r = client.post(f"{url}/salesperson", follow_redirects=False, data={
        "_csrf": csrf, "salesperson_id": d.members["lviv_manager"]})
    assert r.status_code == 303, r.text
    api = client.get(f"{D}/orders/{theirs['id']}", headers=d.as_("owner")).json()
    assert api["salesperson_id"] == d.members["lviv_manager"]
    board = client.get("/apps/dealership/contests").text
    assert "Lviv form week" in board and "Kyiv sprint" not in board
