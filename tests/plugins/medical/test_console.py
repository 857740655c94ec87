"""Medical's console screens (the rapport_console hook): the chart as a customer-page panel
and a page, audited as the API's reads are; the access-requests inbox, sharing and revoking;
who looked at a record; and every screen hidden from clinics without the module and from
roles that do not see patient records."""

from __future__ import annotations

import re

from tests.console.support import sign_in
from tests.plugins.medical.support import chart, clinic, patient


def _as(client, c, role):
    email = None
    if role != "owner":
        members = client.get("/api/v1/members", headers=c.as_("owner")).json()["items"]
        email = next(m["email"] for m in members if m["role"] == role)
    password = None if role == "owner" else f"{role} password {c.slug}"
    return sign_in(client, c.tenant, email=email, password=password)


def _reads(client, c, patient_id):
    r = client.get(f"/api/v1/medical/patients/{patient_id}/access-report",
                   headers=c.as_("clinician"))
    # The customer page's timeline reads encounters too (``via: timeline``), as in the API.
    return [e for e in r.json()["items"] if e["action"] == "read" and e["via"] == "local"]


def test_the_chart_panel_and_page_are_audited_reads(client):
    c = clinic(client)
    p = patient(client, c)
    chart(client, c, p["id"])
    _as(client, c, "clinician")
    before = len(_reads(client, c, p["id"]))
    customer = client.get(f"/contacts/{p['contact_id']}").text
    assert 'id="panel-medical-chart"' in customer
    assert "Penicillin" in customer and "Essential hypertension" in customer
    page = client.get(f"/apps/medical/patients/{p['id']}")
    assert page.status_code == 200 and "Lisinopril 10 mg" in page.text
    assert "Knee rehabilitation" in page.text
    reads = _reads(client, c, p["id"])
    assert len(reads) == before + 2
    assert set(reads[0]["sections"]) >= {"demographics", "care_plans"}  # the page: all
    assert set(reads[1]["sections"]) == {"demographics", "allergies", "conditions",
                                         "medications", "encounters"}  # the panel: shown


def test_a_receptionist_sees_appointments_not_clinical_sections(client):
    c = clinic(client)
    p = patient(client, c)
    chart(client, c, p["id"])
    _as(client, c, "receptionist")
    customer = client.get(f"/contacts/{p['contact_id']}").text
    assert 'id="panel-medical-chart"' in customer
    assert "Essential hypertension" not in customer and "Persistent cough" not in customer
    assert "Penicillin" not in customer  # allergies are clinical
    assert "Access requests" not in customer  # the inbox is for deciders
    assert client.get("/apps/medical/requests").status_code == 403


def test_hidden_without_the_module_and_from_plain_members(client):
    c = clinic(client, roles=())
    client.delete("/api/v1/modules/medical", headers=c.as_("owner"))
    _as(client, c, "owner")
    assert "/apps/medical/" not in client.get("/").text
    assert client.get("/apps/medical/requests").status_code == 404
    assert client.get("/apps/medical/sharing").status_code == 404


def test_another_clinics_patient_is_404(client):
    a, b = clinic(client), clinic(client)
    p = patient(client, a)
    _as(client, b, "clinician")
    assert client.get(f"/apps/medical/patients/{p['id']}").status_code == 404
    assert client.get(f"/apps/medical/shared/{a.id}/patients/{p['id']}").status_code == 404
    assert client.get(f"/apps/medical/patients/{p['id']}/access").status_code == 404


def test_request_approve_read_shared_and_revoke(client):
    a, b = clinic(client), clinic(client)
    p = patient(client, a, mrn="MRN-C-1")
    chart(client, a, p["id"])
    csrf = _as(client, b, "clinician")
    r = client.post("/apps/medical/requests", data={
        "_csrf": csrf, "organization": a.slug, "mrn": "MRN-C-1", "birth_date": "1980-04-12",
        "sections": ["demographics", "conditions"], "purpose": "referral"},
        follow_redirects=False)
    assert r.status_code == 303, r.text

    csrf = _as(client, a, "owner")
    inbox = client.get("/apps/medical/requests").text
    request_id = re.search(r'id="request-([0-9a-f-]{36})"', inbox).group(1)
    r = client.post(f"/apps/medical/requests/{request_id}/approve", data={
        "_csrf": csrf, "sections": ["demographics", "conditions"], "evidence": "",
        "expires_at": "2099-01-01"})
    assert r.status_code == 422 and 'role="alert"' in r.text  # the consent evidence
    r = client.post(f"/apps/medical/requests/{request_id}/approve", data={
        "_csrf": csrf, "sections": ["demographics", "conditions"],
        "evidence": "signed form 12", "expires_at": "2099-01-01"}, follow_redirects=False)
    assert r.status_code == 303, r.text

    _as(client, b, "clinician")
    sharing = client.get("/apps/medical/sharing").text
    link = re.search(r'href="(/apps/medical/shared/[^"]+)"', sharing).group(1)
    shared = client.get(link)
    assert shared.status_code == 200 and "Essential hypertension" in shared.text
    assert "Lisinopril" not in shared.text  # medications were not granted

    csrf = _as(client, a, "owner")
    given = client.get("/apps/medical/sharing").text
    consent = re.search(r'/apps/medical/consents/([0-9a-f-]{36})/revoke', given).group(1)
    r = client.post(f"/apps/medical/consents/{consent}/revoke", data={"_csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    _as(client, b, "clinician")
    assert client.get(link).status_code == 404


def test_share_from_the_chart_and_who_looked(client):
    a, b = clinic(client), clinic(client)
    p = patient(client, a)
    csrf = _as(client, a, "clinician")
    r = client.post(f"/apps/medical/patients/{p['id']}/share", data={
        "_csrf": csrf, "organization": b.slug, "sections": ["demographics"],
        "purpose": "second opinion", "evidence": "verbal, witnessed", "expires_at": ""})
    assert r.status_code == 422 and 'id="f-expires_at-error"' in r.text
    r = client.post(f"/apps/medical/patients/{p['id']}/share", data={
        "_csrf": csrf, "organization": b.slug, "sections": ["demographics"],
        "purpose": "second opinion", "evidence": "verbal, witnessed",
        "expires_at": "2099-01-01"}, follow_redirects=False)
    assert r.status_code == 303
    _as(client, b, "nurse")
    received = client.get("/apps/medical/sharing")
    assert received.status_code == 403  # nurses read records; deciders manage sharing
    _as(client, b, "clinician")
    link = re.search(r'href="(/apps/medical/shared/[^"]+)"',
                     client.get("/apps/medical/sharing").text).group(1)
    assert "Olha" in client.get(link).text
    _as(client, a, "owner")
    looked = client.get(f"/apps/medical/patients/{p['id']}/access").text
    assert b.tenant.slug in looked or "Org " + b.slug in looked
    assert "second opinion" in looked


def test_medical_screens_speak_uk_and_ru(client, tmp_path):
    """The plugin's catalogs translate every message of its screens (re-extracted here), and
    a clinic reading Ukrainian sees them."""
    import subprocess
    import sys
    from pathlib import Path

    from babel.messages.pofile import read_po

    here = Path(__file__).resolve().parents[3] / "plugins" / "medical" / "console"
    pot = tmp_path / "medical-console.pot"
    subprocess.run(
        [sys.executable, "-c", "from babel.messages.frontend import main; main()", "extract",
         "-F", str(here.parents[2] / "platform" / "console" / "babel.cfg"), "-k", "N_",
         "-k", "Screen:2", "-k", "NavEntry:1", "-k", "CustomerPanel:2", "--no-location",
         "-o", str(pot), str(here)], check=True, capture_output=True)
    wanted = {m.id for m in read_po(pot.open("rb")) if m.id}
    for lang in ("uk", "ru"):
        po = read_po((here / "locale" / lang / "LC_MESSAGES" / "messages.po").open("rb"))
        done = {m.id for m in po if m.id and m.string}
        assert wanted - done == set(), lang

    c = clinic(client, roles=())
    csrf = _as(client, c, "owner")
    client.post("/preferences", data={"language": "uk", "_csrf": csrf})
    page = client.get("/apps/medical/requests").text
    assert "Запити на доступ" in page and "Запити до нас" in page


def test_federation_peers_are_registered_rotated_and_removed_by_managers(client):
    c = clinic(client)
    csrf = _as(client, c, "owner")
    page = client.get("/apps/medical/federation")
    assert page.status_code == 200 and "No federation peers yet." in page.text
    assert 'href="/apps/medical/federation"' in client.get("/").text
    r = client.post("/apps/medical/federation", data={
        "_csrf": csrf, "name": "Rehab Centre B", "direction": "inbound", "jwks_url": ""})
    assert r.status_code == 422 and 'id="f-jwks_url-error"' in r.text  # inbound needs keys
    r = client.post("/apps/medical/federation", data={
        "_csrf": csrf, "name": "Rehab Centre B", "direction": "inbound",
        "jwks_url": "https://b.example.org/jwks.json",
        "token_url": "https://ignored.example.org/token"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"]).text
    peer_id = re.search(r'id="peer-([0-9a-f-]{36})"', page).group(1)
    assert "urn:rapport:medical:" in page and "/api/v1/medical/federation/token" in page
    assert "Give the other clinic the client id" in page
    r = client.post(f"/apps/medical/federation/{peer_id}/rotate", data={
        "_csrf": csrf, "name": "Rehab Centre B", "jwks_url": "not a url"})
    assert r.status_code == 422 and 'role="alert"' in r.text
    r = client.post(f"/apps/medical/federation/{peer_id}/rotate", data={
        "_csrf": csrf, "name": "Rehab Centre B", "jwks_url": "https://b.example.org/new.json"},
        follow_redirects=False)
    assert r.status_code == 303
    api = client.get(f"/api/v1/medical/federation/peers/{peer_id}", headers=c.as_("owner"))
    assert api.json()["jwks_url"] == "https://b.example.org/new.json"
    r = client.post(f"/apps/medical/federation/{peer_id}/remove", data={"_csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    assert client.get(f"/api/v1/medical/federation/peers/{peer_id}",
                      headers=c.as_("owner")).json()["removed_at"]
    # Clinicians decide on requests, not on peers: no entry, and the page is refused.
    _as(client, c, "clinician")
    assert 'href="/apps/medical/federation"' not in client.get("/").text
    assert client.get("/apps/medical/federation").status_code == 403
    # Another clinic's peer id is unknown here.
    other = clinic(client, roles=())
    csrf = _as(client, other, "owner")
    r = client.post(f"/apps/medical/federation/{peer_id}/remove", data={"_csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 404
