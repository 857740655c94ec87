"""Portable credentials between two servers: institution A (a real uvicorn server on
loopback) issues a learner's CLR 2.0 record of Open Badges 3.0 credentials; institution B
(another app instance) imports it, verifying every signature against the key A publishes
over HTTP, and the status list; B's registrar recognises it and B's recommendations then
skip what it proves. A tampered byte, a revoked or expired credential, an unknown key:
refused with the reason, nothing written."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from joserfc import jws
from joserfc.jwk import OKPKey

from tests.browser import live_server  # noqa: F401 (the fixture)
from tests.plugins.education.support import complete, course, institution, learner, outcome, post

ESCO = "http://data.europa.eu/esco/skill/"


def _payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.fixture
def issued(client, live_server, monkeypatch):  # noqa: F811
    # The issuer is on loopback here; a deployment allows private addresses explicitly.
    monkeypatch.setenv("RAPPORT_EDUCATION_FETCH_PRIVATE", "1")
    a = institution(client)
    sql = outcome(client, a, "SQL", framework_uri=ESCO + "sql", framework_name="ESCO")
    py = outcome(client, a, "PY", framework_uri=ESCO + "python", framework_name="ESCO")
    c = course(client, a, "DB101", {sql: 3, py: 2})
    who = learner(client, a, "Mariia")
    complete(client, a, who["id"], c, grade="B", completed_on="2019-06-20")
    post(client, a, f"/learners/{who['id']}/achievements",
         {"kind": "certificate", "title": "Data engineering", "issued_on": "2019-07-01"})
    # A exports through its own server, so the issuer's URLs are the ones B can reach.
    r = httpx.post(f"{live_server}/api/v1/education/learners/{who['id']}/clr",
                   headers=a.as_("registrar"), timeout=30)
    assert r.status_code == 201, r.text
    return a, who, r.json()


def test_the_record_is_a_clr_of_signed_open_badges(issued, live_server):  # noqa: F811
    a, _who, out = issued
    clr = out["credential"]
    assert clr["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["issuer"]["id"].startswith(live_server) and clr["issuer"]["type"] == ["Profile"]
    subject = clr["credentialSubject"]
    assert subject["identifier"][0]["hashed"] is True
    inner = [_payload(v["id"].split(",", 1)[1]) for v in subject["verifiableCredential"]]
    assert len(inner) == 2
    badge = inner[0]
    assert badge["@context"] == ["https://www.w3.org/ns/credentials/v2",
                                 "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    achievement = badge["credentialSubject"]["achievement"]
    assert {"id", "name", "description", "criteria"} <= set(achievement)
    assert {x["targetUrl"] for x in achievement["alignment"]} == {ESCO + "sql",
                                                                   ESCO + "python"}
    assert badge["awardedDate"] == "2019-06-20T00:00:00Z"
    grade = badge["credentialSubject"]["result"][0]
    assert grade["value"] == "B" and grade["resultDescription"] == achievement[
        "resultDescription"][0]["id"]
    assert [(e["type"], e["statusPurpose"]) for e in badge["credentialStatus"]] == [
        ("BitstringStatusListEntry", "revocation"), ("BitstringStatusListEntry", "suspension")]
    # The issuer's keys and status list are public, at stable URLs.
    jwks = httpx.get(f"{live_server}/api/v1/education/issuer/jwks?org={a.tenant.id}").json()
    key = OKPKey.import_key(jwks["keys"][0])
    assert jws.deserialize_compact(out["jwt"], key, algorithms=["Ed25519"])
    profile = httpx.get(clr["issuer"]["id"]).json()
    assert profile["name"] == clr["issuer"]["name"]
    listed = httpx.get(badge["credentialStatus"][0]["statusListCredential"])
    assert listed.status_code == 200 and listed.headers["content-type"].startswith(
        "application/vc+jwt")
    assert httpx.get(f"{live_server}/api/v1/education/issuer/jwks?org="
                     "0190a1b2-0000-7000-8000-000000000001").status_code == 404


def test_round_trip_recognise_and_skip(client, issued, live_server):  # noqa: F811
    a, _, out = issued
    b = institution(client)
    sql = outcome(client, b, "B-SQL", framework_uri=ESCO + "sql")
    py = outcome(client, b, "B-PY", framework_uri=ESCO + "python")
    again = course(client, b, "DATA1", {sql: 2, py: 2})
    fresh = course(client, b, "NEW1", {py: 4})
    program = post(client, b, "/programs", {"code": "CONT", "title": "Continuing",
                                            "courses": [again, fresh]})["id"]
    alumna = learner(client, b, "Mariia")["id"]
    url = f"/api/v1/education/learners/{alumna}/credentials/import"

    # Tampering any byte of the signed payload: refused, nothing filed.
    head, _body, sig = out["jwt"].split(".")
    claims = _payload(out["jwt"])
    claims["name"] = claims["name"] + " (forged)"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    r = client.post(url, json={"credential": f"{head}.{forged}.{sig}"},
                    headers=b.as_("registrar"))
    assert r.status_code == 422 and "tampered" in r.text and r.json()["errors"][0][
        "field"] == "credential"
    r = client.post(url, json={"credential": "not a credential"}, headers=b.as_("registrar"))
    assert r.status_code == 422 and "compact JWS" in r.text
    record = client.get(f"/api/v1/education/learners/{alumna}/record",
                        headers=b.as_("advisor")).json()
    assert record["achievements"] == []

    r = client.post(url, json={"credential": out["jwt"]}, headers=b.as_("registrar"))
    assert r.status_code == 201, r.text
    items = r.json()["items"]
    assert [(i["title"], i["decision"]) for i in items] == [
        ("Course DB101", "pending"), ("Data engineering", "pending")]
    proposals = {x["target_url"]: x for x in items[0]["alignments"]}
    assert proposals[ESCO + "sql"]["outcome_id"] == sql and proposals[ESCO + "sql"][
        "level"] == 3
    # Before a decision nothing is held: the recommendation still proposes DATA1.
    rec = client.get(f"/api/v1/education/learners/{alumna}/recommendations",
                     params={"program": program}, headers=b.as_("advisor")).json()
    assert {p["code"] for p in rec["take"]} == {"DATA1", "NEW1"}
    assert items[0]["credits"] == 5 and items[1]["credits"] is None
    # The credits count towards a licence once recognised in its unit; an award that names
    # no credits cannot be counted.
    lic = post(client, b, f"/learners/{alumna}/licences", {
        "name": "Data engineer", "renewed_on": "2019-01-01", "expires_on": "2022-01-01",
        "required": 8})
    r = client.post(f"/api/v1/education/learners/{alumna}/achievements/{items[1]['id']}/"
                    "decision", json={"decision": "accept", "credit_unit": "hours"},
                    headers=b.as_("registrar"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "credit_unit"
    r = client.post(f"/api/v1/education/learners/{alumna}/achievements/{items[0]['id']}/"
                    "decision", json={"decision": "accept", "note": "transcript checked",
                                      "credit_unit": "hours"},
                    headers=b.as_("registrar"))
    assert r.status_code == 200 and r.json()["decision"] == "accepted"
    assert r.json()["credit_unit"] == "hours"
    licences = client.get(f"/api/v1/education/learners/{alumna}/licences",
                          headers=b.as_("advisor")).json()
    assert [(x["id"], x["earned"], x["remaining"]) for x in licences] == [(lic["id"], 5, 3)]
    r = client.post(f"/api/v1/education/learners/{alumna}/achievements/{items[0]['id']}/"
                    "decision", json={"decision": "reject"}, headers=b.as_("registrar"))
    assert r.status_code == 409
    rec = client.get(f"/api/v1/education/learners/{alumna}/recommendations",
                     params={"program": program}, headers=b.as_("advisor")).json()
    assert {p["code"] for p in rec["take"]} == {"NEW1"}
    assert [p["code"] for p in rec["skip"]] == ["DATA1"]
    held = client.get(f"/api/v1/education/learners/{alumna}/record",
                      headers=b.as_("advisor")).json()["holdings"]
    assert {(h["code"], h["level"], h["source"], h["achieved_on"]) for h in held} == {
        ("B-SQL", 3, "recognised", "2019-06-20"), ("B-PY", 2, "recognised", "2019-06-20")}

    # A revokes the record: B refuses it from then on.
    issued_list = client.get(f"/api/v1/education/learners/{_learner_of(out)}/credentials",
                             headers=a.as_("registrar")).json()
    clr_row = next(c for c in issued_list if c["kind"] == "ClrCredential")
    r = client.post(f"/api/v1/education/learners/{_learner_of(out)}/credentials/"
                    f"{clr_row['id']}/revoke", json={"reason": "issued in error"},
                    headers=a.as_("registrar"))
    assert r.status_code == 200 and r.json()["revoked_at"]
    r = client.post(url, json={"credential": out["jwt"]}, headers=b.as_("registrar"))
    assert r.status_code == 422 and "revoked" in r.text


def _learner_of(out: dict) -> str:
    return out["credential"]["credentialSubject"]["id"].removeprefix("urn:uuid:")


def test_unknown_key_and_expired_credentials_are_refused(client, issued, live_server):  # noqa: F811
    a, _, out = issued
    b = institution(client)
    who = learner(client, b)["id"]
    url = f"/api/v1/education/learners/{who}/credentials/import"
    # Signed by someone else's key, claiming A's JWKS: the key is not A's.
    header, _ = (json.loads(base64.urlsafe_b64decode(p + "==")) for p in
                 out["jwt"].split(".")[:2])
    stranger = OKPKey.generate_key("Ed25519", private=True)
    fake = jws.serialize_compact({**header, "kid": header["kid"].split("#")[0] + "#"
                                  + stranger.thumbprint()},
                                 json.dumps(_payload(out["jwt"])).encode(), stranger,
                                 algorithms=["Ed25519"])
    r = client.post(url, json={"credential": fake}, headers=b.as_("registrar"))
    assert r.status_code == 422 and "does not publish the key" in r.text
    # Unsigned (alg "none"): refused before any key is looked up.
    unsigned = ".".join([base64.urlsafe_b64encode(json.dumps(
        {"alg": "none", "typ": "vc+jwt"}).encode()).decode().rstrip("="),
        out["jwt"].split(".")[1], ""])
    r = client.post(url, json={"credential": unsigned}, headers=b.as_("registrar"))
    assert r.status_code == 422 and "signature algorithm" in r.text
    # A key on another origin than the issuer's id.
    other = jws.serialize_compact({**header, "kid": "http://127.0.0.1:9/jwks#x"},
                                  json.dumps(_payload(out["jwt"])).encode(), stranger,
                                  algorithms=["Ed25519"])
    r = client.post(url, json={"credential": other}, headers=b.as_("registrar"))
    assert r.status_code == 422 and "not published by the issuer" in r.text
    # An award that expired: the record holding it is refused as expired.
    expired = learner(client, a, "Old")["id"]
    post(client, a, f"/learners/{expired}/achievements", {
        "kind": "certificate", "title": "Lapsed", "issued_on": "2001-01-01",
        "expires_on": "2002-01-01"})
    r = httpx.post(f"{live_server}/api/v1/education/learners/{expired}/clr",
                   headers=a.as_("registrar"), timeout=30)
    assert r.status_code == 201, r.text
    r = client.post(url, json={"credential": r.json()["jwt"]}, headers=b.as_("registrar"))
    assert r.status_code == 422 and "expired" in r.text


def test_framework_links_match_beyond_identical_uris(client, issued):
    _, _, out = issued
    b = institution(client)
    # B's own outcomes have no ESCO URI; they are linked: SQL exactly, Python as related.
    sql, py = outcome(client, b, "DB-B"), outcome(client, b, "PROG-B")
    post(client, b, f"/outcomes/{sql}/links", {"target_uri": ESCO + "sql",
                                               "relation": "exact", "target_version": "1.2"})
    post(client, b, f"/outcomes/{py}/links", {"target_uri": ESCO + "python",
                                              "relation": "related"})
    r = client.post(f"/api/v1/education/outcomes/{sql}/links", headers=b.as_("registrar"),
                    json={"target_uri": "not a uri", "relation": "exact"})
    assert r.status_code in (400, 422) and "target_uri" in r.text
    r = client.put("/api/v1/modules/education/settings", headers=b.as_("owner"),
                   json={"auto_recognise": True})
    assert r.status_code == 200, r.text
    who = learner(client, b)["id"]
    r = client.post(f"/api/v1/education/learners/{who}/credentials/import",
                    json={"credential": out["jwt"]}, headers=b.as_("registrar"))
    assert r.status_code == 201, r.text
    course_item = r.json()["items"][0]
    matches = {x["target_url"]: (x["outcome_id"], x["match"]) for x in course_item["alignments"]}
    assert matches == {ESCO + "sql": (sql, "exact"), ESCO + "python": (py, "related")}
    # A related match is not recognised automatically: it waits for the registrar.
    assert course_item["decision"] == "pending"
    other = outcome(client, b, "OTHER")
    r = client.post(f"/api/v1/education/learners/{who}/achievements/{course_item['id']}/"
                    "decision", headers=b.as_("registrar"),
                    json={"decision": "accept", "mapping": {ESCO + "python": other}})
    assert r.status_code == 200, r.text
    held = client.get(f"/api/v1/education/learners/{who}/record",
                      headers=b.as_("advisor")).json()["holdings"]
    assert {(h["code"], h["level"]) for h in held} == {("DB-B", 3), ("OTHER", 2)}


def test_private_addresses_are_not_fetched_unless_allowed(client, issued, monkeypatch):
    _, _, out = issued
    monkeypatch.delenv("RAPPORT_EDUCATION_FETCH_PRIVATE")
    b = institution(client)
    who = learner(client, b)["id"]
    r = client.post(f"/api/v1/education/learners/{who}/credentials/import",
                    json={"credential": out["jwt"]}, headers=b.as_("registrar"))
    assert r.status_code == 422 and "private or local address" in r.text


def test_data_integrity_proofs_and_suspension(client, issued, live_server):  # noqa: F811
    a, who, out = issued
    proved = out["data_integrity"]
    proof = proved["proof"]
    assert (proof["type"], proof["cryptosuite"], proof["proofPurpose"]) == (
        "DataIntegrityProof", "eddsa-rdfc-2022", "assertionMethod")
    assert proof["proofValue"].startswith("z")
    inner = proved["credentialSubject"]["verifiableCredential"]
    assert len(inner) == 2 and all(c["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
                                   for c in inner)
    # The issuer's profile lists the key the proof names, as a Multikey.
    profile = httpx.get(proved["issuer"]["id"]).json()
    method = next(m for m in profile["verificationMethod"]
                  if m["id"] == proof["verificationMethod"])
    assert method["type"] == "Multikey" and method["publicKeyMultibase"].startswith("z6Mk")
    assert proof["verificationMethod"] in profile["assertionMethod"]

    b = institution(client)
    alumna = learner(client, b)["id"]
    url = f"/api/v1/education/learners/{alumna}/credentials/import"
    registrar = b.as_("registrar")
    # Tampering one embedded credential, adding a term no context defines, or naming a
    # context the package does not ship: refused, nothing filed.
    forged = json.loads(json.dumps(proved))
    forged["credentialSubject"]["verifiableCredential"][0]["credentialSubject"][
        "achievement"]["name"] += " (forged)"
    r = client.post(url, json={"credential": json.dumps(forged)}, headers=registrar)
    assert r.status_code == 422 and "tampered" in r.text, r.text
    extra = {**proved, "sneaky": "not signed"}
    r = client.post(url, json={"credential": json.dumps(extra)}, headers=registrar)
    assert r.status_code == 422 and "not defined" in r.text, r.text
    retyped = {**proved, "type": [*proved["type"], "Sneaky"]}
    r = client.post(url, json={"credential": json.dumps(retyped)}, headers=registrar)
    assert r.status_code == 422 and "type 'Sneaky' is not defined" in r.text, r.text
    foreign = {**proved, "@context": [*proved["@context"], "https://example.org/ctx.json"]}
    r = client.post(url, json={"credential": json.dumps(foreign)}, headers=registrar)
    assert r.status_code == 422 and "unknown JSON-LD context" in r.text, r.text
    r = client.post(url, json={"credential": "{not json"}, headers=registrar)
    assert r.status_code == 422 and "neither a compact JWS nor JSON" in r.text
    assert client.get(f"/api/v1/education/learners/{alumna}/record",
                      headers=b.as_("advisor")).json()["achievements"] == []

    # A suspends the record: refused in both forms; reinstated: accepted.
    issued_list = client.get(f"/api/v1/education/learners/{who['id']}/credentials",
                             headers=a.as_("registrar")).json()
    clr_row = next(c for c in issued_list if c["kind"] == "ClrCredential")
    base = f"/api/v1/education/learners/{who['id']}/credentials/{clr_row['id']}"
    r = client.post(f"{base}/suspend", json={"reason": "under review"},
                    headers=a.as_("registrar"))
    assert r.status_code == 200 and r.json()["suspended_at"] and r.json()[
        "suspension_reason"] == "under review"
    for form in (json.dumps(proved), out["jwt"]):
        r = client.post(url, json={"credential": form}, headers=registrar)
        assert r.status_code == 422 and "suspended" in r.text, r.text
    r = client.post(f"{base}/reinstate", headers=a.as_("registrar"))
    assert r.status_code == 200 and r.json()["suspended_at"] is None
    r = client.post(url, json={"credential": json.dumps(proved)}, headers=registrar)
    assert r.status_code == 201, r.text
    assert [i["title"] for i in r.json()["items"]] == ["Course DB101", "Data engineering"]
    assert r.json()["items"][0]["alignments"][0]["level"] in (2, 3)
    # A revoked credential can no longer be suspended.
    assert client.post(f"{base}/revoke", json={}, headers=a.as_("registrar")
                       ).status_code == 200
    r = client.post(f"{base}/suspend", json={}, headers=a.as_("registrar"))
    assert r.status_code == 409


def _vc11_badge(key, issuer: str) -> dict:
    """An Open Badges 3.0 credential as VC 1.1 (``issuanceDate``), issued by a did:key and
    secured with a Data Integrity proof — as many wallets and issuers still make them."""
    from rapport_plugins.education.credentials import integrity

    did = "did:key:" + integrity.multikey(key.public_key())
    credential = {
        "@context": ["https://www.w3.org/2018/credentials/v1",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
                     "https://w3id.org/security/data-integrity/v2"],
        "id": "urn:uuid:5d4c8a3e-6f0b-4b8e-9a53-2f1d0c7e9b11",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Elsewhere"},
        "issuanceDate": "2015-06-30T00:00:00Z", "name": "SQL basics",
        "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
            "id": "urn:uuid:0b7f3c1a-2d4e-4f6a-8b9c-1e2f3a4b5c6d", "type": ["Achievement"],
            "name": "SQL basics", "description": "Relational queries",
            "criteria": {"narrative": "Passed the exam"},
            "alignment": [{"type": ["Alignment"], "targetName": "SQL",
                           "targetUrl": ESCO + "sql"}]}}}
    return integrity.sign(credential, key, f"{did}#{did.removeprefix('did:key:')}",
                          "2015-06-30T00:00:00Z")


def test_vc11_data_integrity_credential_from_a_did_key_issuer(client):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from rapport_plugins.education.credentials import integrity

    b = institution(client, ("registrar",))
    sql = outcome(client, b, "SQL", framework_uri=ESCO + "sql")
    who = learner(client, b)["id"]
    url = f"/api/v1/education/learners/{who}/credentials/import"
    key = Ed25519PrivateKey.generate()
    did = "did:key:" + integrity.multikey(key.public_key())
    badge = _vc11_badge(key, did)
    tampered = json.loads(json.dumps(badge))
    tampered["credentialSubject"]["achievement"]["alignment"][0]["targetUrl"] = ESCO + "x"
    r = client.post(url, json={"credential": json.dumps(tampered)}, headers=b.as_("registrar"))
    assert r.status_code == 422 and "tampered" in r.text, r.text
    # A did:key proves only itself: it cannot sign for another issuer.
    r = client.post(url, json={"credential": json.dumps(_vc11_badge(key, "https://uni.example"))},
                    headers=b.as_("registrar"))
    assert r.status_code == 422 and "not the issuer's" in r.text, r.text
    r = client.post(url, json={"credential": json.dumps(badge)}, headers=b.as_("registrar"))
    assert r.status_code == 201, r.text
    item = r.json()["items"][0]
    assert (item["title"], item["issuer_name"], item["issued_on"]) == (
        "SQL basics", "Elsewhere", "2015-06-30")
    assert [(x["outcome_id"], x["match"]) for x in item["alignments"]] == [
        (sql, "framework_uri")]


def test_fetch_connects_to_the_address_it_checked(live_server, monkeypatch):  # noqa: F811
    """DNS rebinding: the name is resolved once, checked, and the request goes to that
    address (the Host header and TLS server name keep the name)."""
    import asyncio

    from rapport_plugins.education.credentials import service

    assert service.pinned("https://issuer.example:8443/k?org=1", "203.0.113.5") == (
        "https://203.0.113.5:8443/k?org=1", {"Host": "issuer.example:8443"},
        {"sni_hostname": "issuer.example"})
    assert service.pinned("http://issuer.example/k", "2001:db8::1") == (
        "http://[2001:db8::1]/k", {"Host": "issuer.example"}, {})
    monkeypatch.delenv("RAPPORT_EDUCATION_FETCH_PRIVATE", raising=False)
    port = live_server.rsplit(":", 1)[1]
    seen: list[str] = []

    async def public_then_loopback(host: str) -> str:
        # This name resolves nowhere; the "public" answer it is given here is loopback,
        # where the live server listens: only a pinned connection reaches it.
        seen.append(host)
        return "127.0.0.1"

    monkeypatch.setattr(service, "_public_address", public_then_loopback)
    body = asyncio.run(service.fetch(f"http://issuer.invalid:{port}/healthz"))
    assert seen == ["issuer.invalid"] and body
