"""Deals through the HTTP API: money kept exact, the pipeline, owners, audit and events."""

from __future__ import annotations

from tests.conftest import sign_up
from tests.core.deals.support import audit_log, contact, member, member_id, outbox


def _deal(client, t, **body) -> dict:
    r = client.post("/api/v1/deals", json={"title": "Fleet renewal", **body}, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_deal_lifecycle_with_lines_summing_exactly(client, tenant):
    buyer = contact(client, tenant, "Buyer")
    deal = _deal(
        client, tenant, currency="eur", contact_id=buyer, probability=40,
        expected_close_date="2030-03-31",
        lines=[
            {"product": "Seat licence", "quantity": "3", "unit_price": "0.10"},
            {"product": "Support", "quantity": 1, "unit_price": 0.2},
        ],
    )
    assert deal["amount"] == "0.50" and deal["currency"] == "EUR"
    assert deal["stage"] == {"key": "lead", "label": "Lead"}
    assert deal["owner_id"] == member_id(client, tenant)
    assert deal["lines"][0] == {
        "product": "Seat licence", "quantity": "3", "unit_price": "0.10", "amount": "0.30",
        "category": None,
    }
    got = client.get(f"/api/v1/deals/{deal['id']}", headers=tenant.headers).json()
    assert got == deal

    r = client.patch(
        f"/api/v1/deals/{deal['id']}",
        json={"lines": [{"product": "Seat licence", "quantity": "2.5", "unit_price": "19.99"}]},
        headers=tenant.headers,
    )
    assert r.status_code == 200, r.text
    assert r.json()["amount"] == "49.98"  # 49.975 rounds half up
    r = client.patch(f"/api/v1/deals/{deal['id']}", json={"lines": None, "title": "Renewal"},
                     headers=tenant.headers)
    assert r.json()["lines"] == [] and r.json()["amount"] == "49.98"
    r = client.patch(f"/api/v1/deals/{deal['id']}", json={"amount": 1200}, headers=tenant.headers)
    assert r.json()["amount"] == "1200.00"

    assert client.delete(f"/api/v1/deals/{deal['id']}", headers=tenant.headers).status_code == 204
    assert client.get(f"/api/v1/deals/{deal['id']}", headers=tenant.headers).status_code == 404
    r = client.get(f"/api/v1/workflows/deals.pipeline/records/{deal['id']}",
                   headers=tenant.headers)
    assert r.status_code == 404  # the workflow instance went with the deal


def test_money_rules_answer_422_naming_the_field(client, tenant):
    h = tenant.headers
    cases = [
        ({"amount": "10.00"}, "currency"),
        ({"amount": "10.5", "currency": "JPY"}, "amount"),
        ({"amount": "-1", "currency": "EUR"}, "amount"),
        ({"amount": "NaN", "currency": "EUR"}, "amount"),
        ({"amount": "1e20", "currency": "EUR"}, "amount"),
        ({"amount": "1", "currency": "XXX"}, "currency"),
        ({"probability": 101}, "probability"),
        ({"title": "   "}, "title"),
        ({"lines": [{"product": "A", "quantity": "1", "unit_price": "1"}]}, "currency"),
        ({"currency": "EUR", "lines": [{"product": "A", "quantity": "0", "unit_price": "1"}]},
         "lines[0].quantity"),
        ({"currency": "EUR", "lines": [{"product": "A", "quantity": "1", "unit_price": "1",
                                        "discount": "1"}]}, "lines[0]"),
        ({"currency": "EUR", "amount": "5",
          "lines": [{"product": "A", "quantity": "1", "unit_price": "4"}]}, "amount"),
    ]
    for body, field in cases:
        r = client.post("/api/v1/deals", json={"title": "X", **body}, headers=h)
        assert r.status_code == 422, (body, r.text)
        assert field in {e["field"] for e in r.json()["errors"]}, (body, r.json())
    # The amount may be sent alongside lines when it agrees with them.
    deal = _deal(client, tenant, currency="BHD", amount=4,
                 lines=[{"product": "A", "quantity": "1", "unit_price": "4"}])
    assert deal["amount"] == "4.000"


def test_links_to_another_tenants_records_are_refused(client, tenant, other_tenant):
    theirs = contact(client, other_tenant, "Theirs")
    r = client.post("/api/v1/deals", json={"title": "X", "contact_id": theirs},
                    headers=tenant.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "contact_id"
    r = client.post("/api/v1/deals",
                    json={"title": "X", "owner_id": member_id(client, other_tenant)},
                    headers=tenant.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "owner_id"


def test_changing_currency_reprices_lines_and_checks_minor_units(client, tenant):
    deal = _deal(client, tenant, currency="EUR",
                 lines=[{"product": "Tyres", "quantity": "3", "unit_price": "33.335"}])
    assert deal["amount"] == "100.01"  # 100.005 half up
    r = client.patch(f"/api/v1/deals/{deal['id']}", json={"currency": "JPY"},
                     headers=tenant.headers)
    assert r.status_code == 200 and r.json()["amount"] == "100"
    other = _deal(client, tenant, currency="EUR", amount="10.50")
    r = client.patch(f"/api/v1/deals/{other['id']}", json={"currency": "JPY"},
                     headers=tenant.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "amount"
    r = client.patch(f"/api/v1/deals/{other['id']}", json={"currency": None},
                     headers=tenant.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "currency"


def test_pipeline_transitions_and_their_refusals(client, database, tenant):
    h = tenant.headers
    deal = _deal(client, tenant)
    path = f"/api/v1/deals/{deal['id']}/transitions"
    r = client.post(f"{path}/qualify", json={"note": "Budget confirmed"}, headers=h)
    assert r.status_code == 200 and r.json()["stage"]["key"] == "qualified"
    r = client.post(f"{path}/qualify", headers=h)
    assert r.status_code == 409 and r.json()["current_state"] == "qualified"
    r = client.post(f"{path}/win", headers=h)
    assert r.status_code == 409 and "amount" in r.json()["condition"]
    assert client.post(f"{path}/fly", headers=h).status_code == 404
    client.patch(f"/api/v1/deals/{deal['id']}", json={"amount": "900", "currency": "USD"},
                 headers=h)
    _, viewer = member(client, tenant, "viewer")
    assert client.post(f"{path}/win", headers=viewer).status_code == 403
    r = client.post(f"{path}/win", headers=h)
    assert r.status_code == 200 and r.json()["stage"] == {"key": "won", "label": "Won"}
    r = client.post(f"{path}/lose", headers=h)
    assert r.status_code == 409 and r.json()["allowed_transitions"] == []

    history = client.get(f"/api/v1/workflows/deals.pipeline/records/{deal['id']}",
                         headers=h).json()["history"]
    assert [(e["from_state"], e["to_state"]) for e in history] == [
        (None, "lead"), ("lead", "qualified"), ("qualified", "won")
    ]
    stages = [e["changes"].get("stage") for e in audit_log(client, tenant, "deal", deal["id"])]
    assert ["qualified", "won"] in stages and ["lead", "qualified"] in stages
    moved = [e["payload"] for e in outbox(database, tenant.id, "deal.stage_changed")]
    assert [(m["from_stage"], m["to_stage"]) for m in moved] == [
        ("lead", "qualified"), ("qualified", "won")
    ]


def test_tenant_stages_rename_add_and_stay_in_step_with_the_generic_door(client):
    tenant = sign_up(client)
    h = tenant.headers
    r = client.put(
        "/api/v1/workflows/deals.pipeline/stages",
        json={"stages": [{"key": "lead", "label": "Enquiry"},
                         {"key": "demo", "label": "Demo booked", "position": 1}]},
        headers=h,
    )
    assert r.status_code == 200, r.text
    deal = _deal(client, tenant)
    assert deal["stage"] == {"key": "lead", "label": "Enquiry"}
    r = client.post(f"/api/v1/deals/{deal['id']}/transitions/move_to_demo", headers=h)
    assert r.status_code == 200 and r.json()["stage"] == {"key": "demo", "label": "Demo booked"}
    listed = client.get("/api/v1/deals?stage=demo", headers=h).json()["items"]
    assert [d["id"] for d in listed] == [deal["id"]]
    # Fired through the generic workflow door, the deal's stage follows too.
    r = client.post(
        f"/api/v1/workflows/deals.pipeline/records/{deal['id']}/transitions/propose", headers=h
    )
    assert r.status_code == 200, r.text
    assert client.get(f"/api/v1/deals/{deal['id']}", headers=h).json()["stage"]["key"] == (
        "proposal"
    )
    assert client.get("/api/v1/deals?stage=demo", headers=h).json()["items"] == []
    r = client.get("/api/v1/deals?stage=nowhere", headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "stage"


def test_filters_and_cursor_pages(client):
    tenant = sign_up(client)
    h = tenant.headers
    buyer = contact(client, tenant)
    seller_id, seller = member(client, tenant)
    mine = [_deal(client, tenant, title=f"Mine {i}")["id"] for i in range(3)]
    theirs = _deal(client, tenant, title="Theirs", owner_id=seller_id, contact_id=buyer)["id"]
    r = client.post("/api/v1/deals", json={"title": "Seller's own"}, headers=seller)
    own = r.json()["id"]

    def ids(query: str) -> list[str]:
        r = client.get(f"/api/v1/deals?{query}", headers=h)
        assert r.status_code == 200, r.text
        return [d["id"] for d in r.json()["items"]]

    assert ids("owner=me") == mine[::-1]
    assert ids(f"owner={seller_id}") == [own, theirs]
    assert client.get("/api/v1/deals?owner=me", headers=seller).json()["items"][0]["id"] == own
    assert ids(f"contact_id={buyer}") == [theirs]
    first = client.get("/api/v1/deals?limit=2", headers=h).json()
    second = client.get(f"/api/v1/deals?limit=2&cursor={first['next_cursor']}", headers=h).json()
    third = client.get(f"/api/v1/deals?limit=2&cursor={second['next_cursor']}", headers=h).json()
    everything = [d["id"] for d in first["items"] + second["items"] + third["items"]]
    assert everything == [own, theirs, *mine[::-1]] and third["next_cursor"] is None
    assert client.get("/api/v1/deals?owner=nobody", headers=h).status_code == 422
    assert client.get("/api/v1/deals?cursor=%%%", headers=h).status_code == 400


def test_deleting_contact_or_member_keeps_the_deal(client):
    tenant = sign_up(client)
    h = tenant.headers
    buyer = contact(client, tenant)
    seller_id, _ = member(client, tenant)
    deal = _deal(client, tenant, contact_id=buyer, owner_id=seller_id)
    assert client.delete(f"/api/v1/contacts/{buyer}", headers=h).status_code == 204
    # In the trash the link stays (restoring loses nothing); purging clears it.
    kept = client.get(f"/api/v1/deals/{deal['id']}", headers=h).json()
    assert kept["contact_id"] == buyer
    assert client.delete(f"/api/v1/trash/contacts/{buyer}", headers=h).status_code == 204
    assert client.delete(f"/api/v1/members/{seller_id}", headers=h).status_code == 204
    got = client.get(f"/api/v1/deals/{deal['id']}", headers=h).json()
    assert got["contact_id"] is None and got["owner_id"] is None and got["title"] == deal["title"]


def test_changes_are_audited_and_emitted(client, database):
    tenant = sign_up(client)
    deal = _deal(client, tenant, amount="10", currency="EUR")
    client.patch(f"/api/v1/deals/{deal['id']}", json={"probability": 80},
                 headers=tenant.headers)
    client.patch(f"/api/v1/deals/{deal['id']}", json={"probability": 80},
                 headers=tenant.headers)  # no change: neither logged nor emitted
    client.delete(f"/api/v1/deals/{deal['id']}", headers=tenant.headers)
    entries = audit_log(client, tenant, "deal", deal["id"])
    assert [e["action"] for e in entries] == ["delete", "update", "create"]
    assert entries[1]["changes"] == {"probability": [None, 80]}
    assert entries[2]["changes"]["amount"] == [None, "10"]
    created = outbox(database, tenant.id, "deal.created")
    assert created[0]["record_id"] == deal["id"]
    assert created[0]["payload"]["amount"] == "10" and created[0]["payload"]["stage"] == "lead"
    assert len(outbox(database, tenant.id, "deal.updated")) == 1
    assert len(outbox(database, tenant.id, "deal.deleted")) == 1


def test_viewers_read_but_do_not_write(client, tenant):
    deal = _deal(client, tenant)
    _, viewer = member(client, tenant, "viewer")
    assert client.get(f"/api/v1/deals/{deal['id']}", headers=viewer).status_code == 200
    assert client.post("/api/v1/deals", json={"title": "No"}, headers=viewer).status_code == 403
    r = client.patch(f"/api/v1/deals/{deal['id']}", json={"title": "No"}, headers=viewer)
    assert r.status_code == 403
    assert client.delete(f"/api/v1/deals/{deal['id']}", headers=viewer).status_code == 403


def test_an_unknown_organization_is_a_422_naming_the_field(client, tenant):
    r = client.post("/api/v1/deals", json={"title": "Fleet", "organization_id":
                                           "7a41c2a6-acdb-2c2f-af58-a981c6a09a6e"},
                    headers=tenant.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "organization_id"
