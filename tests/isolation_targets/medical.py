"""Medical endpoints: patients, entries, consents, access requests, shared records,
federation peers. FHIR doors take peer tokens, not member logins (their own tests)."""

from __future__ import annotations

from tests.conftest import TenantHandle, member_token, sign_up
from tests.isolation_targets import Target

MODULES = ("medical",)


def _patient(client, t: TenantHandle) -> dict[str, str]:
    contact = client.post("/api/v1/contacts", json={"given_name": "Victim"}, headers=t.headers)
    r = client.post("/api/v1/medical/patients", headers=t.headers, json={
        "contact_id": contact.json()["id"], "mrn": "V-1", "birth_date": "1970-01-01",
        "sex": "male"})
    assert r.status_code == 201, r.text
    return {"patient_id": r.json()["id"], "owner_id": t.id}


def _document(client, t: TenantHandle) -> dict[str, str]:
    # Documents are clinical: the victim acts as its clinician (managers cannot read them).
    ids = _patient(client, t)
    t.token = member_token(client, t, f"doc-{t.slug}@example.com", role="clinician",
                           password="clinician password 1")
    r = client.post(f"/api/v1/medical/patients/{ids['patient_id']}/documents", headers=t.headers,
                    json={"title": "x", "content_type": "text/plain", "content": "eA=="})
    assert r.status_code == 201, r.text
    return {**ids, "document_id": r.json()["id"]}


def _consent(client, t: TenantHandle) -> dict[str, str]:
    ids = _patient(client, t)
    third = sign_up(client)
    client.put("/api/v1/modules/medical", headers=third.headers)
    r = client.post(f"/api/v1/medical/patients/{ids['patient_id']}/consents", headers=t.headers,
                    json={"organization": third.slug, "sections": ["demographics"],
                          "purpose": "care", "evidence": "form",
                          "expires_at": "2099-01-01T00:00:00Z"})
    assert r.status_code == 201, r.text
    return {**ids, "consent_id": r.json()["id"]}


def _request(client, t: TenantHandle) -> dict[str, str]:
    third = sign_up(client)
    client.put("/api/v1/modules/medical", headers=third.headers)
    r = client.post("/api/v1/medical/access-requests", headers=third.headers, json={
        "organization": t.slug, "mrn": "V-1", "birth_date": "1970-01-01",
        "sections": ["demographics"], "purpose": "care"})
    assert r.status_code == 201, r.text
    return {"request_id": r.json()["id"]}


def _peer(client, t: TenantHandle) -> dict[str, str]:
    r = client.post("/api/v1/medical/federation/peers", headers=t.headers, json={
        "name": "Peer", "direction": "outbound", "client_id": "c-1",
        "token_url": "http://127.0.0.1:9/token", "fhir_base_url": "http://127.0.0.1:9/fhir"})
    assert r.status_code == 201, r.text
    return {"peer_id": r.json()["id"]}


P = "/api/v1/medical/patients/{patient_id}"
TARGETS: dict[str, Target] = {
    P: Target(_patient, {"GET": None, "PATCH": {"mrn": "HIJACK"}}, MODULES),
    P + "/record": Target(_patient, {"GET": None}, MODULES),
    P + "/export": Target(_patient, {"GET": None}, MODULES),
    P + "/access-report": Target(_patient, {"GET": None}, MODULES),
    P + "/consents": Target(_patient, {"GET": None, "POST": {
        "organization": "x", "sections": ["demographics"], "purpose": "p", "evidence": "e",
        "expires_at": "2099-01-01T00:00:00Z"}}, MODULES),
    P + "/encounters": Target(_patient, {"POST": {
        "starts_at": "2024-01-01T00:00:00Z", "clinician": "x", "status": "planned"}}, MODULES),
    P + "/conditions": Target(_patient, {"POST": {"code": "I10", "text": "x"}}, MODULES),
    P + "/observations": Target(_patient, {"POST": {
        "code": "8867-4", "value": 60, "unit": "/min",
        "effective_at": "2024-01-01T00:00:00Z"}}, MODULES),
    P + "/medications": Target(_patient, {"POST": {"medication": "x"}}, MODULES),
    P + "/documents": Target(_patient, {"POST": {
        "title": "x", "content_type": "text/plain", "content": "eA=="}}, MODULES),
    P + "/care-plans": Target(_patient, {"POST": {"title": "x"}}, MODULES),
    P + "/documents/{document_id}/content": Target(_document, {"GET": None}, MODULES),
    "/api/v1/medical/consents/{consent_id}": Target(_consent, {"GET": None}, MODULES),
    "/api/v1/medical/consents/{consent_id}/fhir": Target(_consent, {"GET": None}, MODULES),
    "/api/v1/medical/consents/{consent_id}/revoke": Target(_consent, {"POST": None}, MODULES),
    "/api/v1/medical/access-requests/{request_id}": Target(_request, {"GET": None}, MODULES),
    "/api/v1/medical/access-requests/{request_id}/approve": Target(_request, {"POST": {
        "evidence": "e", "expires_at": "2099-01-01T00:00:00Z"}}, MODULES),
    "/api/v1/medical/access-requests/{request_id}/deny": Target(_request, {"POST": None},
                                                                MODULES),
    "/api/v1/medical/access-requests/{request_id}/revoke": Target(_request, {"POST": None},
                                                                  MODULES),
    "/api/v1/medical/shared/{owner_id}/patients/{patient_id}": Target(
        _patient, {"GET": None}, MODULES),
    "/api/v1/medical/federation/peers/{peer_id}": Target(_peer, {
        "GET": None, "PATCH": {"name": "Hijacked"}, "DELETE": None}, MODULES),
    "/api/v1/medical/federation/peers/{peer_id}/fetch": Target(_peer, {"POST": {
        "mrn": "V-1", "birth_date": "1970-01-01"}}, MODULES),
}
