"""Two Rapport deployments on loopback, each with its own database: clinic B fetches a
patient's record from clinic A with OAuth2 client credentials and a private_key_jwt
assertion, within A's consent, and loses it when A revokes. Against the same deployment A,
the SMART ``fhirclient`` (discovery, Backend Services, read, search) and ``fhirpy`` (search,
paging) work unchanged, as an integrator's engine would use them."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhirclient import client as smart_client
from fhirclient.models.condition import Condition as SmartCondition
from fhirclient.models.encounter import Encounter as SmartEncounter
from fhirclient.models.patient import Patient as SmartPatient
from fhirpy import SyncFHIRClient
from joserfc.jwk import ECKey
from sqlalchemy.engine import make_url

from rapport.db.bootstrap import bootstrap
from rapport.db.urls import OWNER_ROLE, sqlalchemy_url
from rapport_plugins.medical.fhir.mapping import MODELS
from tests import mailbox
from tests.plugins.medical.federation_support import assertion, jwks_server

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def deployment(database, tmp_path: Path, name: str) -> Iterator[str]:
    db = f"rapport_fed_{name}_{secrets.token_hex(3)}"
    bootstrap(database.superuser_url, db, owner_password="rapport_owner",
              app_password="rapport_app")
    owner = sqlalchemy_url(make_url(database.superuser_url)).set(
        database=db, username=OWNER_ROLE, password="rapport_owner")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "RAPPORT_DATABASE_URL": owner.render_as_string(hide_password=False),
           "RAPPORT_APP_DB_PASSWORD": "rapport_app", "RAPPORT_HOST": "127.0.0.1",
           "RAPPORT_PORT": str(port), "RAPPORT_BASE_URL": base,
           "RAPPORT_SECRET_KEY": secrets.token_hex(32), "RAPPORT_LOG_JSON": "true",
           "RAPPORT_LOGIN_SLOWDOWN_SECONDS": "0.01", "RAPPORT_DATA_DIR": str(tmp_path / name),
           # One process each: federation is under test, not serving from every core, and
           # four processes importing at once on a shared 2-core machine start too slowly.
           "RAPPORT_WORKERS": "1",
           # Invitations go to the tests' SMTP server, where _clinic reads them.
           "RAPPORT_SMTP_URL": mailbox.start().url}
    log = (tmp_path / f"{name}.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "rapport.cli", "run"], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120  # a loaded 2-core machine starts slowly
        while True:
            with suppress(httpx.HTTPError):  # not listening yet: ask again below
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"server {name} did not start: "
                            + (tmp_path / f"{name}.log").read_text()[-2000:])
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _clinic(http: httpx.Client, base: str, slug: str) -> tuple[dict, dict]:
    """Sign up, enable medical, add a clinician: (owner headers, clinician headers)."""
    password = "correct horse battery " + slug
    r = http.post(f"{base}/api/v1/signup", json={
        "organization": {"name": f"Clinic {slug}", "slug": slug},
        "admin": {"email": f"owner@{slug}.example.com", "password": password,
                  "full_name": "Olena Owner"}})
    assert r.status_code == 201, r.text
    headers = {}
    for email, pw in ((f"owner@{slug}.example.com", password),):
        token = http.post(f"{base}/api/v1/auth/login", json={
            "tenant": slug, "email": email, "password": pw}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
    assert http.put(f"{base}/api/v1/modules/medical", headers=headers).status_code == 200
    doc = f"doc@{slug}.example.com"
    before = len(mailbox.MAILBOX.sent_to(doc))
    r = http.post(f"{base}/api/v1/members", headers=headers, json={
        "email": doc, "full_name": "Dr Doc", "role": "clinician"})
    assert r.status_code == 201, r.text
    # The clinician accepts the e-mailed invitation, choosing their own password.
    letter = mailbox.MAILBOX.wait_for(doc, count=before + 1)
    r = http.post(f"{base}/api/v1/invitations/accept", json={
        "tenant": slug, "token": letter.token, "password": "clinician password 1"})
    assert r.status_code == 200, r.text
    token = http.post(f"{base}/api/v1/auth/login", json={
        "tenant": slug, "email": doc,
        "password": "clinician password 1"}).json()["access_token"]
    http.cookies.clear()
    return headers, {"Authorization": f"Bearer {token}"}


def test_clinic_b_fetches_a_shared_record_from_another_deployment(database, tmp_path):
    with deployment(database, tmp_path, "a") as a, deployment(database, tmp_path, "b") as b, \
            httpx.Client(timeout=20) as http:
        a_owner, a_doc = _clinic(http, a, "clinic-a")
        b_owner, b_doc = _clinic(http, b, "clinic-b")
        contact = http.post(f"{a}/api/v1/contacts", headers=a_owner,
                            json={"given_name": "Iryna", "family_name": "Bondar"}).json()
        p = http.post(f"{a}/api/v1/medical/patients", headers=a_doc, json={
            "contact_id": contact["id"], "mrn": "A-1001", "birth_date": "1975-06-30",
            "sex": "female"}).json()
        for path, body in (
            ("encounters", {"starts_at": "2024-05-01T08:00:00Z", "clinician": "Dr Doc",
                            "reason": "Knee pain",
                            "diagnoses": [{"code": "M17.1", "text": "Osteoarthritis of knee"}]}),
            ("conditions", {"code": "M17.1", "text": "Osteoarthritis of knee"}),
            ("observations", {"code": "29463-7", "value": 71.5, "unit": "kg",
                              "effective_at": "2024-05-01T08:05:00Z"}),
        ):
            r = http.post(f"{a}/api/v1/medical/patients/{p['id']}/{path}", json=body,
                          headers=a_doc)
            assert r.status_code == 201, r.text
        # The clinics agree to federate: A registers B's JWKS URL, B registers A's URLs.
        inbound = http.post(f"{a}/api/v1/medical/federation/peers", headers=a_owner, json={
            "name": "Clinic B", "direction": "inbound",
            "jwks_url": f"{b}/api/v1/medical/federation/jwks.json"}).json()
        outbound = http.post(f"{b}/api/v1/medical/federation/peers", headers=b_owner, json={
            "name": "Clinic A", "direction": "outbound", "client_id": inbound["client_id"],
            "token_url": inbound["token_url"], "fhir_base_url": inbound["fhir_base_url"]})
        assert outbound.status_code == 201, outbound.text
        fetch = f"{b}/api/v1/medical/federation/peers/{outbound.json()['id']}/fetch"
        ask = {"mrn": "A-1001", "birth_date": "1975-06-30"}
        # Without consent, A shares nothing.
        assert http.post(fetch, json=ask, headers=b_doc).status_code == 404
        consent = http.post(f"{a}/api/v1/medical/patients/{p['id']}/consents", headers=a_doc,
                            json={"peer_id": inbound["id"], "purpose": "rehabilitation",
                                  "sections": ["demographics", "encounters", "conditions"],
                                  "evidence": "signed form R-17",
                                  "expires_at": "2099-01-01T00:00:00Z"})
        assert consent.status_code == 201, consent.text
        r = http.post(fetch, json=ask, headers=b_doc)
        assert r.status_code == 200, r.text
        bundle = Bundle.model_validate(r.json())
        kinds = sorted({e.resource.get_resource_type() for e in bundle.entry})
        assert kinds == ["Condition", "Consent", "Encounter", "Patient"]
        # A's log names the peer for each federated read; B logs its own fetch.
        log = http.get(f"{a}/api/v1/audit", headers=a_owner,
                       params={"record_type": "medical.patient", "record_id": p["id"]}).json()
        assert any(e["detail"].get("peer") == "Clinic B" for e in log["items"])
        mine = http.get(f"{b}/api/v1/audit", headers=b_owner,
                        params={"record_type": "medical.remote_patient"}).json()
        assert mine["items"] and mine["items"][0]["detail"]["remote_patient"] == p["id"]
        # A standard SMART client against A, unchanged: B's integration engine (its own
        # key, its JWKS on loopback) registered as another inbound peer with its consent.
        _smart_clients_read(http, a, a_owner, a_doc, p["id"])
        # Revocation: B's very next fetch finds nothing.
        http.post(f"{a}/api/v1/medical/consents/{consent.json()['id']}/revoke", headers=a_doc)
        assert http.post(fetch, json=ask, headers=b_doc).status_code == 404


def _smart_clients_read(http: httpx.Client, a: str, a_owner: dict, a_doc: dict,
                        patient_id: str) -> None:
    """``fhirclient`` discovers A's token endpoint in ``metadata``, runs Backend Services
    and reads; ``fhirpy`` searches and follows references; both only within the consent
    and the scopes; every body validates with ``fhir.resources``."""
    key = ECKey.generate_key("P-384", private=True)
    with jwks_server([key]) as jwks_url:
        engine = http.post(f"{a}/api/v1/medical/federation/peers", headers=a_owner, json={
            "name": "Clinic B integration engine", "direction": "inbound",
            "jwks_url": jwks_url}).json()
        r = http.post(f"{a}/api/v1/medical/patients/{patient_id}/consents", headers=a_doc,
                      json={"peer_id": engine["id"], "purpose": "rehabilitation",
                            "sections": ["demographics", "conditions"],
                            "evidence": "signed form R-18", "expires_at": "2099-01-01T00:00:00Z"})
        assert r.status_code == 201, r.text
        fhir, token_url = engine["fhir_base_url"], engine["token_url"]
        smart = smart_client.FHIRClient(settings={
            "app_id": engine["client_id"], "api_base": fhir + "/",
            "jwt_token": assertion(key, engine["client_id"], aud=token_url),
            "scope": "system/Patient.read system/Condition.rs"}, save_func=lambda _: None)
        assert smart.prepare() is False  # discovered from metadata, not yet authorised
        smart.authorize()
        assert smart.ready
        assert smart.launch_context["scope"] == "system/Patient.read system/Condition.rs"
        patient = SmartPatient.read(patient_id, smart.server)
        assert patient.identifier[0].value == "A-1001" and patient.meta.versionId
        conditions = list(SmartCondition.where(struct={"patient": patient_id})
                          .perform_resources_iter(smart.server))
        assert [c.code.coding[0].code for c in conditions] == ["M17.1"]
        for resource in (patient, *conditions):
            MODELS[resource.resource_type].model_validate(resource.as_json())
        # Encounters are outside both this consent and these scopes.
        with pytest.raises(Exception) as refused:
            next(SmartEncounter.where(struct={"patient": patient_id}).perform_iter(smart.server))
        assert refused.value.response.status_code == 403

        bearer = smart.server.auth.access_token
        pages = SyncFHIRClient(fhir, authorization=f"Bearer {bearer}")
        found = pages.resources("Patient").search(identifier="A-1001",
                                                  birthdate="1975-06-30").fetch_all()
        assert [x["id"] for x in found] == [patient_id]
        assert pages.resources("Condition").search(subject=f"Patient/{patient_id}").count() == 1
