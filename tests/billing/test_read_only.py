"""A lapsed payment makes paid modules read-only after the grace period: writes to the
module's routes answer 402 naming it, reads keep working, and paying turns writes back on.
Self-hosted mode never refuses a write."""

from __future__ import annotations

import secrets

from tests.billing.conftest import billing, subscribe

PATIENTS = "/api/v1/medical/patients"


def _new_patient(client, t):
    r = client.post("/api/v1/contacts", json={"given_name": "Olha", "family_name": "Koval"},
                    headers=t.headers)
    assert r.status_code == 201, r.text
    return client.post(PATIENTS, headers=t.headers, json={
        "contact_id": r.json()["id"], "mrn": f"MRN-{secrets.token_hex(4)}",
        "birth_date": "1980-04-12", "sex": "female"})


def _assert_402_for(r, module: str) -> dict:
    assert r.status_code == 402, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 402 and body["module"] == module
    assert module in body["detail"]
    return body


def test_lapsed_past_grace_writes_402_reads_200_and_paying_restores_writes(
        client, tenant, stripe_fake, post_event, monkeypatch):
    sub = subscribe(client, stripe_fake, tenant, post_event, plan="team", modules=("medical",))
    assert client.put("/api/v1/modules/medical", headers=tenant.headers).status_code == 200
    r = _new_patient(client, tenant)
    assert r.status_code == 201, r.text
    kept = r.json()

    # The renewal fails: past_due, and within the grace period writes still work.
    stripe_fake.set_card(sub["customer"], "decline")
    stripe_fake.renew(sub["id"])
    stripe_fake.deliver(post_event)
    assert billing(client, tenant)["status"] == "past_due"
    assert _new_patient(client, tenant).status_code == 201

    # The grace period over: writes refused with what to do, reads and the data kept.
    monkeypatch.setenv("RAPPORT_BILLING_GRACE_DAYS", "0")
    assert billing(client, tenant)["read_only"] is True
    body = _assert_402_for(_new_patient(client, tenant), "medical")
    assert body["buy"] == "portal" and body["billing_status"] == "past_due"
    _assert_402_for(client.patch(f"{PATIENTS}/{kept['id']}", headers=tenant.headers,
                                 json={"sex": "female"}), "medical")
    _assert_402_for(client.post(f"{PATIENTS}/{kept['id']}/conditions", headers=tenant.headers,
                                json={"code": "I10", "text": "Essential hypertension"}),
                    "medical")
    r = client.get(f"{PATIENTS}/{kept['id']}", headers=tenant.headers)
    assert r.status_code == 200, r.text
    listed = client.get(PATIENTS, headers=tenant.headers)
    assert listed.status_code == 200 and len(listed.json()["items"]) == 2
    assert client.head(PATIENTS, headers=tenant.headers).status_code == 200
    # Kernel routes are not the module's: contacts stay writable.
    r = client.post("/api/v1/contacts", json={"given_name": "Ivan", "family_name": "Bondar"},
                    headers=tenant.headers)
    assert r.status_code == 201, r.text

    # The owner pays the overdue invoice: writes work again.
    [overdue] = stripe_fake.open_invoices(sub["id"])
    stripe_fake.pay_invoice(overdue["id"])
    stripe_fake.deliver(post_event)
    assert billing(client, tenant)["read_only"] is False
    assert _new_patient(client, tenant).status_code == 201
    r = client.patch(f"{PATIENTS}/{kept['id']}", headers=tenant.headers,
                     json={"sex": "female"})
    assert r.status_code == 200, r.text


def test_a_module_enabled_before_billing_was_on_is_read_only_until_bought(
        client, tenant, stripe_fake, monkeypatch):
    """An installation that turns billing on: a module enabled while self-hosted, not in
    the plan and not bought, keeps its data readable and asks for the add-on on writes."""
    monkeypatch.delenv("RAPPORT_STRIPE_SECRET_KEY")
    assert client.put("/api/v1/modules/medical", headers=tenant.headers).status_code == 200
    r = _new_patient(client, tenant)
    assert r.status_code == 201, r.text
    monkeypatch.setenv("RAPPORT_STRIPE_SECRET_KEY", "sk_test_fake")
    body = _assert_402_for(_new_patient(client, tenant), "medical")
    assert body["buy"]["addon"] == "medical" and body["buy"]["price_key"] == "price_medical"
    assert client.get(f"{PATIENTS}/{r.json()['id']}", headers=tenant.headers).status_code == 200


def test_self_hosted_writes_always_work(client, tenant, monkeypatch):
    monkeypatch.delenv("RAPPORT_STRIPE_SECRET_KEY", raising=False)
    monkeypatch.setenv("RAPPORT_BILLING_GRACE_DAYS", "0")
    assert client.put("/api/v1/modules/medical", headers=tenant.headers).status_code == 200
    r = _new_patient(client, tenant)
    assert r.status_code == 201, r.text
    r = client.patch(f"{PATIENTS}/{r.json()['id']}", headers=tenant.headers,
                     json={"sex": "female"})
    assert r.status_code == 200, r.text
