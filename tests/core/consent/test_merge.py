"""A contact merge moves the commerce records of the merged contact to the survivor: deals,
tasks, sales, and the consent history (whose rows allow exactly that one change)."""

from __future__ import annotations

from tests.core.deals.support import contact


def test_merging_contacts_moves_deals_tasks_sales_and_consent(client, tenant):
    h = tenant.headers
    survivor, other = contact(client, tenant, "Survivor"), contact(client, tenant, "Other")
    deal = client.post("/api/v1/deals", json={"title": "D", "contact_id": other}, headers=h)
    task = client.post("/api/v1/tasks", json={"title": "T", "contact_id": other}, headers=h)
    sale = client.post(
        "/api/v1/transactions",
        json={"amount": "3", "currency": "EUR", "channel": "web", "contact_id": other,
              "occurred_at": "2031-01-01T00:00:00Z"},
        headers=h,
    )
    r = client.post(f"/api/v1/contacts/{other}/consent",
                    json={"channel": "sms", "topic": "offers", "status": "opt_in",
                          "source": "shop"}, headers=h)
    assert r.status_code == 201
    for who in (survivor, other):
        client.put(f"/api/v1/contacts/{who}/contact-policy", json={"do_not_contact": False},
                   headers=h)

    r = client.post(f"/api/v1/contacts/{survivor}/merge", json={"other_id": other}, headers=h)
    assert r.status_code == 200, r.text

    assert client.get(f"/api/v1/deals/{deal.json()['id']}", headers=h).json()["contact_id"] == (
        survivor
    )
    assert client.get(f"/api/v1/tasks/{task.json()['id']}", headers=h).json()["contact_id"] == (
        survivor
    )
    moved = client.get(f"/api/v1/transactions/{sale.json()['id']}", headers=h).json()
    assert moved["contact_id"] == survivor
    state = client.get(f"/api/v1/contacts/{survivor}/consent", headers=h).json()
    assert [(c["channel"], c["topic"], c["status"]) for c in state["consents"]] == [
        ("sms", "offers", "opt_in")
    ]
    r = client.get(f"/api/v1/contacts/{survivor}/may-contact?channel=sms&topic=offers",
                   headers=h)
    assert r.json()["allowed"] is True
