"""Federation on one server: the token endpoint's checks on client assertions, and the
FHIR endpoints a peer reads with its token (consent-bound, audited, OperationOutcome)."""

from __future__ import annotations

import base64
import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.patient import Patient
from joserfc.jwk import ECKey

from tests.plugins.medical.federation_support import assertion, jwks_server, token_request
from tests.plugins.medical.support import audit_entries, chart, clinic, patient

FHIR = "/api/v1/medical/fhir"


@pytest.fixture
def peer(client):
    """Clinic A with an inbound peer whose keys are served on loopback."""
    a = clinic(client)
    key = ECKey.generate_key("P-384", private=True)
    with jwks_server([key]) as url:
        r = client.post("/api/v1/medical/federation/peers", headers=a.as_("owner"),
                        json={"name": "Rehab Centre B", "direction": "inbound", "jwks_url": url})
        assert r.status_code == 201, r.text
        yield a, key, r.json()


def _refusals(client, a, peer_id):
    r = client.get("/api/v1/audit", params={"record_type": "medical.federation_peer",
                                            "record_id": peer_id}, headers=a.as_("owner"))
    return [e["detail"]["reason"] for e in r.json()["items"] if e["action"] ==
            "medical.token_refused"]


def test_a_valid_assertion_gets_a_token_and_reads_only_consented_sections(client, peer):
    a, key, registered = peer
    p = patient(client, a)
    chart(client, a, p["id"])
    r = token_request(client, assertion(key, registered["client_id"]))
    assert r.status_code == 200, r.text
    auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
    search = {"identifier": p["mrn"], "birthdate": p["birth_date"]}
    # No consent yet: the search finds nobody, reads answer 404 OperationOutcome.
    empty = client.get(f"{FHIR}/Patient", params=search, headers=auth)
    assert empty.status_code == 200 and Bundle.model_validate(empty.json()).total == 0
    r = client.get(f"{FHIR}/Patient/{p['id']}", headers=auth)
    assert r.status_code == 404
    assert OperationOutcome.model_validate(r.json()).issue[0].code == "not-found"
    r = client.post(f"/api/v1/medical/patients/{p['id']}/consents", headers=a.as_("owner"),
                    json={"peer_id": registered["id"], "sections": ["demographics", "observations"],
                          "purpose": "rehabilitation", "evidence": "consent form 7",
                          "expires_at": "2099-01-01T00:00:00Z"})
    assert r.status_code == 201, r.text
    consent_id = r.json()["id"]
    found = client.get(f"{FHIR}/Patient", params=search, headers=auth)
    assert found.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(found.json())
    assert bundle.total == 1
    assert Patient.model_validate(found.json()["entry"][0]["resource"]).birthDate.isoformat() \
        == p["birth_date"]
    obs = client.get(f"{FHIR}/Observation", params={"patient": f"Patient/{p['id']}"},
                     headers=auth)
    assert obs.status_code == 200
    assert obs.json()["entry"][0]["resource"]["valueQuantity"]["code"] == "/min"
    # Conditions were not consented to: the search finds none.
    r = client.get(f"{FHIR}/Condition", params={"patient": p["id"]}, headers=auth)
    assert r.status_code == 200 and Bundle.model_validate(r.json()).total == 0
    everything = client.get(f"{FHIR}/Patient/{p['id']}/$everything", headers=auth)
    kinds = {e["resource"]["resourceType"] for e in everything.json()["entry"]}
    assert kinds == {"Patient", "Observation", "Consent"}  # allergies: not consented to
    Bundle.model_validate(everything.json())
    # Malformed search parameters: a 400 OperationOutcome naming the parameter.
    for params in ({"patient": "Practitioner/1"}, {"date": "yesterday"}):
        r = client.get(f"{FHIR}/Encounter", params=params, headers=auth)
        assert r.status_code == 400, r.text
        OperationOutcome.model_validate(r.json())
    r = client.get(f"{FHIR}/Patient", params={**search, "birthdate": "12/31/1980"}, headers=auth)
    assert r.status_code == 400 and "birthdate" in r.json()["issue"][0]["diagnostics"]
    # Each federated read is in A's audit log, naming the peer.
    via = [e for e in audit_entries(client, a, p["id"]) if e["detail"].get("via") == "federation"
           and e["action"] == "read"]
    assert len(via) == 3 and all(e["detail"]["peer"] == "Rehab Centre B" for e in via)
    # Revoked: the very next request is refused.
    client.post(f"/api/v1/medical/consents/{consent_id}/revoke", headers=a.as_("owner"))
    assert client.get(f"{FHIR}/Patient/{p['id']}", headers=auth).status_code == 404


@pytest.mark.parametrize("case", ["tampered", "expired", "too_long", "wrong_audience",
                                  "bad_alg", "jku", "unknown_key"])
def test_bad_assertions_are_refused_and_logged(client, peer, case):
    a, key, registered = peer
    cid = registered["client_id"]
    if case == "tampered":
        head, body, sig = assertion(key, cid).split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=="))
        claims["sub"] = claims["iss"] = cid  # same values, re-encoded: signature no longer fits
        claims["exp"] += 1
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        signed = f"{head}.{body}.{sig}"
    elif case == "expired":
        signed = assertion(key, cid, exp_in=-120)
    elif case == "too_long":
        signed = assertion(key, cid, exp_in=3600)
    elif case == "wrong_audience":
        signed = assertion(key, cid, aud="http://elsewhere.example/token")
    elif case == "bad_alg":
        signed = assertion(ECKey.generate_key("P-256", private=True), cid, alg="ES256")
    elif case == "jku":
        signed = assertion(key, cid, jku="http://127.0.0.1:1/evil.json")
    else:
        signed = assertion(ECKey.generate_key("P-384", private=True), cid)
    r = token_request(client, signed)
    assert r.status_code == 401, r.text
    assert r.json()["error"] == "invalid_client"
    assert len(_refusals(client, a, registered["id"])) == 1


def test_a_replayed_assertion_is_refused(client, peer):
    a, key, registered = peer
    signed = assertion(key, registered["client_id"])
    assert token_request(client, signed).status_code == 200
    r = token_request(client, signed)
    assert r.status_code == 401
    assert _refusals(client, a, registered["id"]) == ["replayed jti"]


def test_fhir_endpoints_refuse_member_logins_and_garbage(client, peer):
    a, _, _ = peer
    r = client.get(f"{FHIR}/Patient", params={"identifier": "x"}, headers=a.as_("owner"))
    assert r.status_code == 401
    OperationOutcome.model_validate(r.json())
    r = token_request(client, "not.a.jwt")
    assert r.status_code == 401
    r = client.post("/api/v1/medical/federation/token", data={"grant_type": "password"})
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    jwks = client.get("/api/v1/medical/federation/jwks.json")
    assert jwks.status_code == 200
    assert all("d" not in k for k in jwks.json()["keys"]) and jwks.json()["keys"]
