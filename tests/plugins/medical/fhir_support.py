"""A clinic that shares records with a federation peer, served by a real uvicorn on
loopback whose ``base_url`` is its own address — so the token URL a FHIR client discovers
in ``metadata`` is the one it posts to, and the ``aud`` it signs is accepted."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from joserfc.jwk import ECKey

from rapport.app import create_app
from tests.conftest import make_settings
from tests.plugins.medical.federation_support import ASSERTION_TYPE, assertion, jwks_server
from tests.plugins.medical.support import Clinic, clinic

FHIR_PATH = "/api/v1/medical/fhir"
TOKEN_PATH = "/api/v1/medical/federation/token"


@contextmanager
def served(database: Any) -> Iterator[str]:
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    base = f"http://127.0.0.1:{listening.getsockname()[1]}"
    app = create_app(make_settings(base_url=base), database.app_url)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[listening])), daemon=True)
    thread.start()
    deadline = time.monotonic() + 120  # a loaded 2-core machine starts slowly
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield base
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listening.close()


@dataclass
class Shared:
    """Clinic A's records as peer B may read them, and B's credentials."""

    base: str  # the server's root
    a: Clinic
    key: ECKey
    peer: dict[str, Any]
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def fhir(self) -> str:
        return self.base + FHIR_PATH

    @property
    def token_url(self) -> str:
        return self.base + TOKEN_PATH

    def assertion(self) -> str:
        return assertion(self.key, self.peer["client_id"], aud=self.token_url)

    def token(self, scope: str | None = "system/*.rs") -> dict[str, Any]:
        form = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": self.assertion()}
        if scope is not None:
            form["scope"] = scope
        r = httpx.post(self.token_url, data=form, timeout=20)
        assert r.status_code == 200, r.text
        return r.json()

    def headers(self, scope: str = "system/*.rs") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(scope)['access_token']}"}


def _patient(client: Any, a: Clinic, given: str, family: str, mrn: str, born: str,
             allergies: list[dict[str, str]] | None = None) -> str:
    r = client.post("/api/v1/contacts", json={"given_name": given, "family_name": family},
                    headers=a.as_("owner"))
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/medical/patients", headers=a.as_("receptionist"), json={
        "contact_id": r.json()["id"], "mrn": mrn, "birth_date": born, "sex": "female"})
    assert r.status_code == 201, r.text
    patient_id = str(r.json()["id"])
    if allergies:
        r = client.patch(f"/api/v1/medical/patients/{patient_id}", headers=a.as_("clinician"),
                         json={"allergies": allergies})
        assert r.status_code == 200, r.text
    return patient_id


def _allergy_ids(client: Any, a: Clinic, patient_id: str) -> dict[str, str]:
    r = client.get(f"/api/v1/medical/patients/{patient_id}/record",
                   params={"sections": "allergies"}, headers=a.as_("clinician"))
    assert r.status_code == 200, r.text
    return {x["substance"].lower(): x["id"] for x in r.json()["sections"]["allergies"]}


def _add(client: Any, a: Clinic, patient_id: str, path: str, body: dict[str, Any]) -> str:
    r = client.post(f"/api/v1/medical/patients/{patient_id}/{path}", json=body,
                    headers=a.as_("clinician"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _consent(client: Any, a: Clinic, peer_id: str, patient_id: str, sections: list[str]) -> str:
    r = client.post(f"/api/v1/medical/patients/{patient_id}/consents", headers=a.as_("owner"),
                    json={"peer_id": peer_id, "sections": sections, "purpose": "rehabilitation",
                          "evidence": "consent form 9", "expires_at": "2099-01-01T00:00:00Z"})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@contextmanager
def shared_records(client: Any, base: str) -> Iterator[Shared]:
    """Three patients: Koval (every section shared), Bondar (demographics and
    observations), Shevchuk (nothing shared)."""
    a = clinic(client)
    key = ECKey.generate_key("P-384", private=True)
    with jwks_server([key]) as url:
        r = client.post("/api/v1/medical/federation/peers", headers=a.as_("owner"),
                        json={"name": "Rehab Centre B", "direction": "inbound", "jwks_url": url})
        assert r.status_code == 201, r.text
        s = Shared(base, a, key, r.json())
        ids = s.ids
        ids["koval"] = _patient(client, a, "Olha", "Koval", "K-100", "1980-04-12", [
            {"substance": "Penicillin", "severity": "severe", "reaction": "Hives"},
            {"substance": "Pollen", "severity": "mild"}])
        ids.update(_allergy_ids(client, a, ids["koval"]))
        # Bondar's allergy is recorded, but her consent does not cover allergies.
        ids["bondar"] = _patient(client, a, "Iryna", "Bondar", "B-200", "1975-06-30",
                                 [{"substance": "Latex"}])
        ids["shevchuk"] = _patient(client, a, "Oksana", "Shevchuk", "S-300", "1990-01-01")
        for name, patient_id, code, value, unit, at in (
            ("hr_2026", ids["koval"], "8867-4", 72, "/min", "2026-03-01T09:35:00Z"),
            ("weight_2027", ids["koval"], "29463-7", 70.5, "kg", "2027-02-01T10:00:00Z"),
            ("hr_2027", ids["koval"], "8867-4", 80, "/min", "2027-06-15T08:00:00Z"),
            ("bondar_hr", ids["bondar"], "8867-4", 66, "/min", "2026-05-05T12:00:00Z"),
            ("shevchuk_hr", ids["shevchuk"], "8867-4", 90, "/min", "2026-05-05T12:00:00Z"),
        ):
            ids[name] = _add(client, a, patient_id, "observations",
                             {"code": code, "value": value, "unit": unit, "effective_at": at})
        ids["visit"] = _add(client, a, ids["koval"], "encounters", {
            "starts_at": "2026-03-01T09:30:00Z", "clinician": "Dr. Shevchenko",
            "reason": "Check-up", "diagnoses": [{"code": "I10", "text": "Hypertension"}]})
        ids["hypertension"] = _add(client, a, ids["koval"], "conditions", {
            "code": "I10", "text": "Essential hypertension", "onset_date": "2020-01-01",
            "encounter_id": ids["visit"]})
        ids["asthma"] = _add(client, a, ids["bondar"], "conditions", {
            "code": "J45", "text": "Asthma"})
        ids["lisinopril"] = _add(client, a, ids["koval"], "medications", {
            "medication": "Lisinopril 10 mg", "dosage": "once daily", "status": "active"})
        ids["rehab"] = _add(client, a, ids["koval"], "care-plans", {
            "title": "Knee rehabilitation", "goals": ["Walk 2 km"], "activities": ["Physio"]})
        ids["referral"] = _add(client, a, ids["koval"], "documents", {
            "title": "Referral", "content_type": "text/plain", "content": "UmVmZXJyYWw="})
        peer_id = s.peer["id"]
        ids["consent_koval"] = _consent(client, a, peer_id, ids["koval"], [
            "demographics", "encounters", "conditions", "observations", "medications",
            "documents", "care_plans", "allergies"])
        ids["consent_bondar"] = _consent(client, a, peer_id, ids["bondar"],
                                         ["demographics", "observations"])
        yield s
