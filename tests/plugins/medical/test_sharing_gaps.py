"""The sharing gaps found in use: break-glass that could be stacked and re-opened after a
revocation (and told no one), approvals that showed what was asked instead of what was
granted, shared reads that carried the owner's user ids, and peers that could be neither
removed nor re-keyed."""

from __future__ import annotations

from joserfc.jwk import ECKey

from tests.plugins.medical.federation_support import assertion, jwks_server, token_request
from tests.plugins.medical.support import chart, clinic, patient

FUTURE = "2099-01-01T00:00:00Z"
PEERS = "/api/v1/medical/federation/peers"


def test_break_glass_cannot_be_stacked_nor_reopened_after_revocation_and_tells_admins(client):
    a, b = clinic(client), clinic(client)
    p = patient(client, a)
    body = {"organization": a.slug, "mrn": p["mrn"], "birth_date": p["birth_date"],
            "reason": "Unconscious in our emergency room", "minutes": 1}
    glass = "/api/v1/medical/break-glass"
    assert client.post(glass, json=body, headers=b.as_("clinician")).status_code == 201
    r = client.post(glass, json={**body, "minutes": 240}, headers=b.as_("clinician"))
    assert r.status_code == 409, r.text
    notes = client.get("/api/v1/notifications", headers=a.as_("owner")).json()["items"]
    assert [n["kind"] for n in notes] == ["medical.break_glass"]
    assert notes[0]["record_id"] == p["id"]
    opening = client.get(glass, headers=a.as_("owner")).json()["items"][0]
    assert opening["active"] and opening["revoked_at"] is None
    r = client.post(f"/api/v1/sharing/grants/{opening['grant_id']}/revoke",
                    headers=a.as_("owner"))
    assert r.status_code == 200, r.text
    opening = client.get(glass, headers=a.as_("owner")).json()["items"][0]
    assert opening["active"] is False and opening["revoked_at"]
    outgoing = client.get(glass, params={"direction": "outgoing"},
                          headers=b.as_("clinician")).json()["items"]
    assert outgoing[0]["active"] is False
    r = client.post(glass, json=body, headers=b.as_("clinician"))
    assert r.status_code == 409, r.text


def test_an_approval_lists_the_sections_granted_and_shared_reads_hide_user_ids(client):
    a, b = clinic(client), clinic(client)
    p = patient(client, a)
    chart(client, a, p["id"])
    r = client.post("/api/v1/medical/access-requests", headers=b.as_("clinician"), json={
        "organization": a.slug, "mrn": p["mrn"], "birth_date": p["birth_date"],
        "sections": ["demographics", "encounters", "conditions"], "purpose": "care"})
    assert r.status_code == 201, r.text
    asked = r.json()
    assert asked["granted_sections"] is None
    r = client.post(f"/api/v1/medical/access-requests/{asked['id']}/approve",
                    headers=a.as_("clinician"), json={
                        "evidence": "form 3", "expires_at": FUTURE,
                        "sections": ["demographics", "conditions"]})
    assert r.status_code == 200, r.text
    seen = client.get(f"/api/v1/medical/access-requests/{asked['id']}",
                      headers=b.as_("owner")).json()
    assert seen["sections"] == ["demographics", "encounters", "conditions"]
    assert seen["granted_sections"] == ["demographics", "conditions"]
    shared = client.get(f"/api/v1/medical/shared/{a.id}/patients/{p['id']}",
                        headers=b.as_("clinician"))
    assert shared.status_code == 200, shared.text
    rows = [row for section in shared.json()["sections"].values() for row in section]
    assert rows and not any({"recorded_by", "created_by", "contact_id"} & set(row)
                            for row in rows)


def test_a_peer_is_rekeyed_then_removed_and_its_access_ends(client):
    a = clinic(client)
    p = patient(client, a)
    old, new = (ECKey.generate_key("P-384", private=True) for _ in range(2))
    with jwks_server([old]) as old_url, jwks_server([new]) as new_url:
        r = client.post(PEERS, headers=a.as_("owner"), json={
            "name": "Rehab Centre B", "direction": "inbound", "jwks_url": old_url})
        assert r.status_code == 201, r.text
        peer = r.json()
        assert peer["removed_at"] is None and peer["created_at"]
        cid = peer["client_id"]
        assert token_request(client, assertion(old, cid)).status_code == 200
        r = client.patch(f"{PEERS}/{peer['id']}", headers=a.as_("owner"),
                         json={"jwks_url": new_url})
        assert r.status_code == 200 and r.json()["jwks_url"] == new_url
        assert token_request(client, assertion(old, cid)).status_code == 401
        r = client.patch(f"{PEERS}/{peer['id']}", headers=a.as_("owner"),
                         json={"token_url": "https://elsewhere.example/token"})
        assert r.status_code == 422 and "token_url" in r.text
        assert client.patch(f"{PEERS}/{peer['id']}", headers=a.as_("clinician"),
                            json={"name": "X"}).status_code == 403
        r = token_request(client, assertion(new, cid))
        assert r.status_code == 200
        auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
        r = client.post(f"/api/v1/medical/patients/{p['id']}/consents", headers=a.as_("owner"),
                        json={"peer_id": peer["id"], "sections": ["demographics"],
                              "purpose": "care", "evidence": "form 4", "expires_at": FUTURE})
        assert r.status_code == 201, r.text
        consent = r.json()
        fhir = f"/api/v1/medical/fhir/Patient/{p['id']}"
        assert client.get(fhir, headers=auth).status_code == 200
        assert client.delete(f"{PEERS}/{peer['id']}", headers=a.as_("owner")).status_code == 204
        assert client.get(fhir, headers=auth).status_code == 401
        assert token_request(client, assertion(new, cid)).status_code == 401
        r = client.get(f"/api/v1/medical/consents/{consent['id']}", headers=a.as_("owner"))
        assert r.json()["state"] == "revoked"
        listed = client.get(PEERS, headers=a.as_("owner")).json()
        assert [x["removed_at"] is not None for x in listed if x["id"] == peer["id"]] == [True]
        assert client.delete(f"{PEERS}/{peer['id']}", headers=a.as_("owner")).status_code == 404
    r = client.post(PEERS, headers=a.as_("owner"), json={
        "name": "Clinic C", "direction": "outbound", "client_id": "urn:c",
        "token_url": "https://c.example/token", "fhir_base_url": "https://c.example/fhir"})
    out = r.json()
    r = client.patch(f"{PEERS}/{out['id']}", headers=a.as_("owner"),
                     json={"fhir_base_url": "https://c2.example/fhir/"})
    assert r.json()["fhir_base_url"] == "https://c2.example/fhir"
    assert client.delete(f"{PEERS}/{out['id']}", headers=a.as_("owner")).status_code == 204
    assert client.get(f"{PEERS}/{out['id']}", headers=a.as_("owner")).status_code == 404
