"""Sharing between clinics on one deployment: access requests, consent grants, section
scoping, revocation and expiry — enforced by PostgreSQL row-level security."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from tests.plugins.medical.support import audit_entries, chart, clinic, patient

FUTURE = "2099-01-01T00:00:00Z"


def _ask(client, a, b, p, sections=("demographics", "encounters"), **overrides):
    body = {"organization": a.slug, "mrn": p["mrn"], "birth_date": p["birth_date"],
            "sections": list(sections), "purpose": "continuing care"}
    r = client.post("/api/v1/medical/access-requests", json={**body, **overrides},
                    headers=b.as_("clinician"))
    assert r.status_code == 201, r.text
    return r.json()


def _approve(client, a, request_id, **extra):
    return client.post(f"/api/v1/medical/access-requests/{request_id}/approve",
                       json={"evidence": "Signed consent form #118", "expires_at": FUTURE,
                             **extra}, headers=a.as_("clinician"))


def _shared(client, b, a, p, role="clinician", **params):
    return client.get(f"/api/v1/medical/shared/{a.id}/patients/{p['id']}", params=params,
                      headers=b.as_(role))


def test_request_approval_then_b_reads_the_granted_sections_only(client):
    a, b = clinic(client), clinic(client)
    p = patient(client, a)
    chart(client, a, p["id"])
    assert _shared(client, b, a, p).status_code == 404
    asked = _ask(client, a, b, p)
    assert asked["state"] == "requested" and asked["patient_id"] is None
    # Both sides see the request.
    incoming = client.get("/api/v1/medical/access-requests?direction=incoming",
                          headers=a.as_("owner")).json()["items"]
    assert [i["id"] for i in incoming] == [asked["id"]]
    assert incoming[0]["requester"]["slug"] == b.slug
    approved = _approve(client, a, asked["id"])
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    seen = client.get(f"/api/v1/medical/access-requests/{asked['id']}", headers=b.as_("owner"))
    assert seen.json()["state"] == "approved" and seen.json()["patient_id"] == p["id"]
    r = _shared(client, b, a, p)
    assert r.status_code == 200, r.text
    assert set(r.json()["sections"]) == {"demographics", "encounters"}
    assert r.json()["sections"]["demographics"][0]["family_name"] == "Koval"
    # Sections outside the grant stay invisible, asked for or not.
    assert _shared(client, b, a, p, sections="conditions").status_code == 404
    # B's receptionist gets demographics and appointments, never the visit's content.
    desk = _shared(client, b, a, p, role="receptionist")
    assert set(desk.json()["sections"]) == {"demographics", "appointments"}
    assert "Persistent cough" not in desk.text
    # Read-only: B cannot write to A's patient.
    r = client.post(f"/api/v1/medical/patients/{p['id']}/conditions",
                    json={"code": "I10", "text": "x"}, headers=b.as_("clinician"))
    assert r.status_code == 404
    # Every shared read is in A's log, with B as the reader, visible to both.
    reads = [e for e in audit_entries(client, a, p["id"])
             if e["action"] == "read" and e["actor_tenant_id"] == b.id]
    assert {e["detail"]["section"] for e in reads} == {"demographics", "encounters"}
    assert all(e["detail"]["purpose"] == "continuing care" for e in reads)
    assert audit_entries(client, b, p["id"])  # B sees its own reads of A's patient


def test_denial_and_mismatch_look_the_same_to_the_requester(client):
    a, b = clinic(client), clinic(client)
    p = patient(client, a)
    matching = _ask(client, a, b, p)
    wrong = _ask(client, a, b, p, birth_date="1999-09-09")
    strip = lambda r: {k: v for k, v in r.items()  # noqa: E731
                       if k not in ("id", "birth_date", "created_at")}
    assert strip(matching) == strip(wrong)
    # A cannot approve a request that names nobody; it denies it.
    r = _approve(client, a, wrong["id"])
    assert r.status_code == 409
    r = client.post(f"/api/v1/medical/access-requests/{wrong['id']}/deny",
                    json={"note": "no such patient"}, headers=a.as_("owner"))
    assert r.status_code == 200 and r.json()["state"] == "denied"
    r = client.post(f"/api/v1/medical/access-requests/{matching['id']}/deny",
                    headers=a.as_("clinician"))
    assert r.json()["state"] == "denied"
    out = client.get("/api/v1/medical/access-requests?direction=outgoing",
                     headers=b.as_("owner")).json()["items"]
    assert {i["state"] for i in out} == {"denied"} and all(i["patient_id"] is None for i in out)
    assert _shared(client, b, a, p).status_code == 404
    # The requester cannot decide on its own request; a decided one cannot be approved.
    r = client.post(f"/api/v1/medical/access-requests/{matching['id']}/deny",
                    headers=b.as_("clinician"))
    assert r.status_code == 403
    assert _approve(client, a, matching["id"]).status_code == 409


def test_revocation_takes_effect_on_the_next_request(client):
    a, b = clinic(client), clinic(client)
    p = patient(client, a)
    asked = _ask(client, a, b, p)
    _approve(client, a, asked["id"])
    assert _shared(client, b, a, p).status_code == 200
    r = client.post(f"/api/v1/medical/access-requests/{asked['id']}/revoke",
                    headers=a.as_("owner"))
    assert r.status_code == 200 and r.json()["state"] == "revoked"
    assert _shared(client, b, a, p).status_code == 404
    consent = client.get(f"/api/v1/medical/consents/{r.json()['consent_id']}",
                         headers=b.as_("owner")).json()
    assert consent["state"] == "revoked"


def test_consent_grant_expires_and_exports_as_fhir_consent(client):
    from fhir.resources.R4B.consent import Consent

    a, b = clinic(client), clinic(client)
    p = patient(client, a)
    soon = (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat()
    r = client.post(f"/api/v1/medical/patients/{p['id']}/consents", headers=a.as_("clinician"),
                    json={"organization": b.slug, "sections": ["demographics"],
                          "purpose": "pharmacy dispensing", "evidence": "verbal, witnessed",
                          "expires_at": soon})
    assert r.status_code == 201, r.text
    consent = r.json()
    fhir = client.get(f"/api/v1/medical/consents/{consent['id']}/fhir", headers=b.as_("owner"))
    assert fhir.headers["content-type"].startswith("application/fhir+json")
    resource = Consent.model_validate(fhir.json())
    assert resource.status == "active"
    assert [c.code for c in resource.provision.class_fhir] == ["demographics"]
    assert _shared(client, b, a, p).status_code == 200
    time.sleep(max(0.0, datetime.fromisoformat(soon).timestamp() - time.time()) + 0.1)
    assert _shared(client, b, a, p).status_code == 404
    assert client.get(f"/api/v1/medical/consents/{consent['id']}",
                      headers=a.as_("owner")).json()["state"] == "expired"
    # Bad consents are refused whole.
    for body, field in (({"expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
                        ({"expires_at": "2099-01-01T00:00:00"}, "expires_at"),
                        ({"organization": a.slug}, "grantee_tenant")):
        r = client.post(f"/api/v1/medical/patients/{p['id']}/consents",
                        headers=a.as_("clinician"),
                        json={"organization": b.slug, "sections": ["demographics"],
                              "purpose": "x", "evidence": "y", "expires_at": FUTURE, **body})
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == field, r.text
    r = client.post(f"/api/v1/medical/patients/{p['id']}/consents", headers=a.as_("nurse"),
                    json={"organization": b.slug, "sections": ["demographics"],
                          "purpose": "x", "evidence": "y", "expires_at": FUTURE})
    assert r.status_code == 403


def test_database_admits_exactly_the_granted_rows_to_the_app_role(client, database):
    a, b = clinic(client), clinic(client)
    p, other = patient(client, a), patient(client, a)
    chart(client, a, p["id"])
    chart(client, a, other["id"])
    asked = _ask(client, a, b, p, sections=("demographics", "observations"))
    _approve(client, a, asked["id"])
    with database.connect_app() as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (b.id,))
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("medical_patients", "medical_encounters", "medical_conditions",
                          "medical_observations", "medical_medications", "medical_documents",
                          "medical_care_plans", "medical_allergies")
        }
        patients = {str(r[0]) for r in conn.execute("SELECT id FROM medical_patients")}
        updated = conn.execute("UPDATE medical_patients SET mrn = 'x' RETURNING id").fetchall()
    assert patients == {p["id"]}
    # Observations: the heart rate and the blood type; allergies were not granted.
    assert counts == {"medical_patients": 1, "medical_encounters": 0, "medical_conditions": 0,
                      "medical_observations": 2, "medical_medications": 0,
                      "medical_documents": 0, "medical_care_plans": 0, "medical_allergies": 0}
    assert updated == []  # read-only: the grantee updates nothing
