"""The plan's contacts limit (API and imports: 402 naming it, nothing half-written), and the
billing gate on a module's console screens: while a lapsed payment keeps the module
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


def _csv(first: int, count: int) -> str:
    rows = "".join(f"ext-{n},Name{n},Family\n" for n in range(first, first + count))
    return "external_id,given_name,family_name\n" + rows


def _import(client, t, body: str):
    return client.post("/api/v1/imports", content=body.encode(),
                       headers={**t.headers, "content-type": "text/csv"})


def _count(client, t) -> int:
    return next(lim["used"] for lim in billing(client, t)["limits"] if lim["name"] == "contacts")


def test_the_contacts_limit_is_402_for_the_api_and_imports(client, tenant, stripe_fake):
    # No subscription yet: the Free plan, 1000 contacts.
    r = _import(client, tenant, _csv(0, 1001))
    assert r.status_code == 402, r.text
    body = r.json()
    assert body["limit"] == "contacts" and body["allowed"] == 1000
    assert "allows 1000 contacts" in body["detail"]
    assert _count(client, tenant) == 0  # refused before anything was written
    assert client.get("/api/v1/imports", headers=tenant.headers).json()["items"] == []
    r = _import(client, tenant, _csv(0, 999))
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/contacts", json={"given_name": "Last", "family_name": "Room"},
                    headers=tenant.headers)
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/contacts", json={"given_name": "One", "family_name": "Toomany"},
                    headers=tenant.headers)
    assert r.status_code == 402, r.text
    assert r.json()["limit"] == "contacts" and r.json()["used"] == 1000
    assert "Upgrade to" in r.json()["detail"]
    assert _import(client, tenant, _csv(5000, 1)).status_code == 402
    # A dry run writes nothing, so the limit does not refuse it.
    r = client.post("/api/v1/imports", params={"dry_run": "true"}, content=_csv(9, 5).encode(),
                    headers={**tenant.headers, "content-type": "text/csv"})
    assert r.status_code == 200, r.text
    assert _count(client, tenant) == 1000


def test_self_hosted_has_no_contacts_limit(client, tenant, monkeypatch):
    monkeypatch.delenv("RAPPORT_STRIPE_SECRET_KEY", raising=False)
    r = _import(client, tenant, _csv(0, 1001))
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/contacts", json={"given_name": "More", "family_name": "Room"},
                    headers=tenant.headers)
    assert r.status_code == 201, r.text
