"""Branch-scoped sales managers, showroom traffic and appointments in the daily numbers,
and marketing messages through the kernel's consent — all through HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import add_member, login
from tests.plugins.dealership.support import customer, dealer, order, promise, vehicle

D = "/api/v1/dealership"


@pytest.fixture(scope="module")
def shop(client):
    """A dealer with two branches: the salesperson and the sales manager in Kyiv, the rival
    in Lviv, and a second sales manager for Lviv."""
    d = dealer(client)
    email = f"lviv-{d.tenant.slug}@example.com"
    m = add_member(client, d.tenant, email, role="sales_manager", full_name="Lviv Boss",
                   password="lviv boss password")
    d.members["lviv_manager"] = m["id"]
    d.tokens["lviv_manager"] = login(client, d.tenant.slug, email, "lviv boss password")
    for who, branch in (("salesperson", "Kyiv"), ("sales_manager", "Kyiv"),
                        ("rival", "Lviv"), ("lviv_manager", "Lviv")):
        r = client.put(f"{D}/staff/{d.members[who]}", json={"branch": branch},
                       headers=d.as_("owner"))
        assert r.status_code == 200 and r.json()["branch"] == branch, r.text
    return d


def test_branches_are_assigned_only_by_managers_of_the_whole_dealership(client, shop):
    d = shop
    target = f"{D}/staff/{d.members['rival']}"
    assert client.put(target, json={"branch": "Kyiv"},
                      headers=d.as_("sales_manager")).status_code == 403
    assert client.put(target, json={"branch": "Kyiv"},
                      headers=d.as_("salesperson")).status_code == 403
    bad = client.put(target, json={"branch": ""}, headers=d.as_("owner"))
    assert bad.status_code == 422 and "branch" in bad.text
    kyiv = client.get(f"{D}/staff", headers=d.as_("sales_manager")).json()["items"]
    assert {i["member_id"] for i in kyiv} == {d.members["salesperson"],
                                              d.members["sales_manager"]}
    everyone = client.get(f"{D}/staff", headers=d.as_("owner")).json()["items"]
    assert len(everyone) == 5
    unknown = client.put(f"{D}/staff/01a23500-0000-7000-8000-000000000000",
                         json={"branch": "X"}, headers=d.as_("owner"))
    assert unknown.status_code == 404


def test_a_branch_manager_sees_and_manages_only_their_branch(client, shop):
    d = shop
    v = vehicle(client, d)
    c = customer(client, d)
    mine = order(client, d, v, c)  # the Kyiv salesperson: the order is Kyiv's
    theirs = order(client, d, v, c, who="rival")
    assert (mine["branch"], theirs["branch"]) == ("Kyiv", "Lviv")
    kyiv_promise = promise(client, d, c)
    lviv_promise = promise(client, d, c, who="rival")
    assert (kyiv_promise["branch"], lviv_promise["branch"]) == ("Kyiv", "Lviv")
    boss = d.as_("sales_manager")
    listed = client.get(f"{D}/orders", headers=boss).json()["items"]
    assert {o["id"] for o in listed} >= {mine["id"]} and theirs["id"] not in {
        o["id"] for o in listed}
    assert client.get(f"{D}/orders/{theirs['id']}", headers=boss).status_code == 404
    assert client.get(f"{D}/promises/{lviv_promise['id']}", headers=boss).status_code == 404
    r = client.post(f"{D}/promises/{lviv_promise['id']}/resolve", headers=boss,
                    json={"outcome": "kept", "evidence": "x"})
    assert r.status_code == 404
    assert client.get(f"{D}/promises/{lviv_promise['id']}",
                      headers=d.as_("lviv_manager")).status_code == 200
    # Recording in another branch is refused, naming the field; nothing is written.
    r = client.post(f"{D}/orders", headers=boss, json={
        "contact_id": c, "vehicle_id": v["id"], "colour_code": "F9R", "branch": "Lviv"})
    assert r.status_code == 403 and "branch" in r.text
    r = client.patch(f"{D}/orders/{mine['id']}", headers=boss, json={"branch": "Lviv"})
    assert r.status_code == 403 and "branch" in r.text
    assert client.get(f"{D}/orders/{mine['id']}", headers=boss).json()["branch"] == "Kyiv"
    # The reports count the manager's branch only; the owner sees both.
    today = datetime.now(UTC).date()
    span = {"from": today.isoformat(), "to": f"{today.year + 1}-12-31", "group_by": "branch"}
    rows = client.get(f"{D}/reports/promises", params=span, headers=boss).json()["rows"]
    assert {r["key"] for r in rows} == {"Kyiv"}
    rows = client.get(f"{D}/reports/promises", params=span, headers=d.as_("owner")).json()
    assert {r["key"] for r in rows["rows"]} == {"Kyiv", "Lviv"}
    # Quotas: a branch manager sets and sees their own branch's people only.
    quota = {"period_start": "2030-01-01", "period_end": "2030-01-31", "units": 5,
             "currency": "EUR"}
    r = client.post(f"{D}/incentives/quotas", headers=boss,
                    json={**quota, "member_id": d.members["rival"]})
    assert r.status_code == 422 and "member_id" in r.text
    r = client.post(f"{D}/incentives/quotas", headers=d.as_("owner"),
                    json={**quota, "member_id": d.members["rival"]})
    assert r.status_code == 201
    r = client.post(f"{D}/incentives/quotas", headers=boss,
                    json={**quota, "member_id": d.members["salesperson"]})
    assert r.status_code == 201
    seen = client.get(f"{D}/incentives/quotas", headers=boss).json()["items"]
    assert {q["member_id"] for q in seen} == {d.members["salesperson"]}
    cal = client.get(f"{D}/reports/calibration", params=span, headers=boss)
    assert cal.status_code == 200
    assert client.get(f"{D}/reports/daily", headers=boss).json()["branch"] == "Kyiv"


def test_appointments_and_traffic_feed_the_daily_numbers(client, shop):
    d = shop
    c = customer(client, d, "Olena")
    soon = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
    later = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    a = client.post(f"{D}/appointments", headers=d.as_("salesperson"),
                    json={"contact_id": c, "scheduled_at": soon, "purpose": "Test drive"})
    assert a.status_code == 201 and a.json()["branch"] == "Kyiv", a.text
    b = client.post(f"{D}/appointments", headers=d.as_("rival"),
                    json={"contact_id": c, "scheduled_at": later})
    assert b.status_code == 201
    past = client.post(f"{D}/appointments", headers=d.as_("salesperson"),
                       json={"contact_id": c, "scheduled_at": "2020-01-01T10:00:00Z"})
    assert past.status_code == 422 and "scheduled_at" in past.text
    appt = a.json()["id"]
    # A no-show cannot be recorded before the time; shown records the visit, once.
    early = client.post(f"{D}/appointments/{appt}/outcome", headers=d.as_("salesperson"),
                        json={"outcome": "no_show"})
    assert early.status_code == 409
    assert client.post(f"{D}/appointments/{appt}/outcome", headers=d.as_("rival"),
                       json={"outcome": "shown"}).status_code == 404
    shown = client.post(f"{D}/appointments/{appt}/outcome", headers=d.as_("salesperson"),
                        json={"outcome": "shown", "note": "Came with his wife"})
    assert shown.status_code == 200 and shown.json()["visit_id"], shown.text
    again = client.post(f"{D}/appointments/{appt}/outcome", headers=d.as_("sales_manager"),
                        json={"outcome": "cancelled"})
    assert again.status_code == 409
    walk = client.post(f"{D}/visits", headers=d.as_("salesperson"),
                       json={"contact_id": c, "source": "walk_in"})
    assert walk.status_code == 201 and walk.json()["interaction_id"], walk.text
    rival_walk = client.post(f"{D}/visits", headers=d.as_("rival"),
                             json={"contact_id": c, "source": "be_back"})
    assert rival_walk.status_code == 201
    future = client.post(f"{D}/visits", headers=d.as_("salesperson"), json={
        "contact_id": c, "arrived_at": "2099-01-01T00:00:00Z"})
    assert future.status_code == 422 and "arrived_at" in future.text
    # The visits are on the customer's timeline as kernel interactions.
    timeline = client.get("/api/v1/interactions", params={"contact_id": c},
                          headers=d.as_("owner"))
    assert timeline.status_code == 200
    subjects = [i["subject"] for i in timeline.json()["items"]]
    assert subjects.count("Showroom visit: walked in") == 1
    assert "Showroom visit: came for an appointment" in subjects
    entries = client.get(f"/api/v1/contacts/{c}/timeline", headers=d.as_("owner")).json()
    kinds = [e["kind"] for e in entries["items"]]
    assert kinds.count("dealership.appointment") == 2
    kyiv = client.get(f"{D}/reports/daily", headers=d.as_("sales_manager")).json()
    assert (kyiv["traffic"], kyiv["appointments_set"]) == (2, 1)
    if soon[:10] == datetime.now(UTC).date().isoformat():
        assert (kyiv["appointments_due"], kyiv["appointments_shown"]) == (1, 1)
        assert kyiv["show_ratio"] == 1.0
    whole = client.get(f"{D}/reports/daily", headers=d.as_("owner")).json()
    assert (whole["traffic"], whole["appointments_set"], whole["branch"]) == (3, 2, None)
    listed = client.get(f"{D}/visits", headers=d.as_("sales_manager")).json()["items"]
    assert {v["source"] for v in listed} == {"appointment", "walk_in"}
    mine = client.get(f"{D}/appointments", params={"on": soon[:10]},
                      headers=d.as_("salesperson")).json()["items"]
    assert [x["status"] for x in mine if x["id"] == appt] == ["shown"]


def test_marketing_goes_only_to_those_who_opted_in(client, shop):
    d = shop
    v = vehicle(client, d, trim=f"Marketing {datetime.now(UTC).timestamp()}")
    yes, no, dnc = (customer(client, d, n) for n in ("Yes", "No", "Never"))
    for c in (yes, no, dnc):
        order(client, d, v, c)
    r = client.post(f"/api/v1/contacts/{yes}/consent", headers=d.as_("owner"), json={
        "channel": "email", "topic": "marketing", "status": "opt_in", "source": "showroom"})
    assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/contacts/{dnc}/consent", headers=d.as_("owner"), json={
        "channel": "email", "topic": "marketing", "status": "opt_in", "source": "showroom"})
    r = client.put(f"/api/v1/contacts/{dnc}/contact-policy", headers=d.as_("owner"),
                   json={"do_not_contact": True})
    assert r.status_code == 200, r.text
    body = {"subject": "Winter tyres at half price", "body": "Book a fitting.",
            "channel": "email", "audience": "contacts", "contact_ids": [yes, no, dnc]}
    assert client.post(f"{D}/marketing/messages", json=body,
                       headers=d.as_("salesperson")).status_code == 403
    sent = client.post(f"{D}/marketing/messages", json=body, headers=d.as_("sales_manager"))
    assert sent.status_code == 201, sent.text
    assert (sent.json()["sent"], sent.json()["skipped"]) == (1, 2)
    cid = sent.json()["id"]
    who = client.get(f"{D}/marketing/messages/{cid}/recipients",
                     headers=d.as_("sales_manager")).json()["items"]
    assert {r["contact_id"]: r["outcome"] for r in who} == {
        yes: "sent", no: "no_consent", dnc: "do_not_contact"}
    timeline = client.get("/api/v1/interactions", params={"contact_id": yes},
                          headers=d.as_("owner")).json()["items"]
    letter = next(i for i in timeline if i["subject"] == "Winter tyres at half price")
    assert letter["notes"].startswith("Yes Buyer,") and letter["direction"] == "outbound"
    # The sender is told the outcome.
    notes = client.get("/api/v1/notifications", headers=d.as_("sales_manager")).json()
    assert any(n["kind"] == "dealership.marketing_sent" for n in notes["items"])
    # The Lviv manager does not see Kyiv's message; bad input names the field.
    assert client.get(f"{D}/marketing/messages/{cid}",
                      headers=d.as_("lviv_manager")).status_code == 404
    bad = client.post(f"{D}/marketing/messages", headers=d.as_("owner"),
                      json={**body, "contact_ids": [yes, "01a23500-0000-7000-8000-000000000000"]})
    assert bad.status_code == 422 and "contact_ids[1]" in bad.text
    bad = client.post(f"{D}/marketing/messages", headers=d.as_("owner"),
                      json={**body, "channel": "pigeon"})
    assert bad.status_code in (400, 422) and "channel" in bad.text
    everyone = client.post(f"{D}/marketing/messages", headers=d.as_("owner"), json={
        "subject": "Open day", "body": "Come", "channel": "email", "audience": "open_orders"})
    assert everyone.status_code == 201 and everyone.json()["sent"] >= 1
