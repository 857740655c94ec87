"""The billing gate on a module's console screens: while a lapsed payment keeps the module
read-only, its form posts answer 402 on the console's error page and its pages stay
readable; self-hosted mode never refuses."""

from __future__ import annotations

import secrets

from tests.billing.conftest import billing, subscribe
from tests.console.support import sign_in

PATIENTS = "/api/v1/medical/patients"


def _patient(client, t) -> dict:
    r = client.post("/api/v1/contacts", json={"given_name": "Olha", "family_name": "Koval"},
                    headers=t.headers)
    assert r.status_code == 201, r.text
    r = client.post(PATIENTS, headers=t.headers, json={
        "contact_id": r.json()["id"], "mrn": f"MRN-{secrets.token_hex(4)}",
        "birth_date": "1980-04-12", "sex": "female"})
    assert r.status_code == 201, r.text
    return r.json()


def _share(client, csrf: str, patient_id: str):
    return client.post(f"/apps/medical/patients/{patient_id}/share", data={
        "_csrf": csrf, "organization": "Other clinic", "purpose": "referral",
        "evidence": "signed form", "sections": "conditions"})


def test_a_read_only_modules_console_post_is_402_and_its_page_readable(
        client, tenant, stripe_fake, post_event, monkeypatch):
    sub = subscribe(client, stripe_fake, tenant, post_event, plan="team", modules=("medical",))
    assert client.put("/api/v1/modules/medical", headers=tenant.headers).status_code == 200
    kept = _patient(client, tenant)
    csrf = sign_in(client, tenant)
    stripe_fake.set_card(sub["customer"], "decline")
    stripe_fake.renew(sub["id"])
    stripe_fake.deliver(post_event)
    monkeypatch.setenv("RAPPORT_BILLING_GRACE_DAYS", "0")
    assert billing(client, tenant)["read_only"] is True

    page = client.get(f"/apps/medical/patients/{kept['id']}")
    assert page.status_code == 200, page.text
    r = _share(client, csrf, kept["id"])
    assert r.status_code == 402, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "read-only until the overdue invoice is paid" in r.text
    # htmx gets the message in the alert area, as for every console error.
    r = client.post(f"/apps/medical/patients/{kept['id']}/share",
                    data={"_csrf": csrf}, headers={"HX-Request": "true"})
    assert "read-only" in r.text and r.headers["HX-Retarget"] == "#alerts"
    # Kernel pages are not the module's.
    assert client.get("/").status_code == 200


def test_self_hosted_console_posts_are_not_gated(client, tenant, monkeypatch):
    monkeypatch.delenv("RAPPORT_STRIPE_SECRET_KEY", raising=False)
    assert client.put("/api/v1/modules/medical", headers=tenant.headers).status_code == 200
    kept = _patient(client, tenant)
    csrf = sign_in(client, tenant)
    r = _share(client, csrf, kept["id"])
    assert r.status_code != 402, r.text
    assert r.status_code in (200, 303, 403, 404, 409, 422), r.text
