"""Clinics for the medical tests: a tenant with the module on and one member per role."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import TenantHandle, add_member, login, sign_up

ROLES = ("clinician", "nurse", "receptionist")


@dataclass
class Clinic:
    tenant: TenantHandle
    tokens: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.tenant.id

    @property
    def slug(self) -> str:
        return self.tenant.slug

    def as_(self, role: str) -> dict[str, str]:
        token = self.tenant.token if role == "owner" else self.tokens[role]
        return {"Authorization": f"Bearer {token}"}


def clinic(client: Any, roles: tuple[str, ...] = ROLES) -> Clinic:
    tenant = sign_up(client)
    r = client.put("/api/v1/modules/medical", headers=tenant.headers)
    assert r.status_code == 200, r.text
    found = Clinic(tenant)
    for role in roles:
        email = f"{role}-{secrets.token_hex(3)}@{tenant.slug}.example.com"
        password = f"{role} password {tenant.slug}"
        add_member(client, tenant, email, role=role, full_name=f"{role.title()} Person",
                   password=password)
        found.tokens[role] = login(client, tenant.slug, email, password)
        found.emails[role] = email
    return found


def patient(client: Any, c: Clinic, *, mrn: str | None = None,
            birth_date: str = "1980-04-12", given: str = "Olha",
            clinical: bool = True) -> dict[str, Any]:
    r = client.post("/api/v1/contacts", json={"given_name": given, "family_name": "Koval"},
                    headers=c.as_("owner"))
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/medical/patients", headers=c.as_("receptionist"), json={
        "contact_id": r.json()["id"], "mrn": mrn or f"MRN-{secrets.token_hex(4)}",
        "birth_date": birth_date, "sex": "female",
        "emergency_contact": {"name": "Petro Koval", "relationship": "husband",
                              "phone": "+380 44 123 4567"}})
    assert r.status_code == 201, r.text
    if not clinical:
        return r.json()
    # Allergies and the blood type are clinical: the nurse records them, not the desk.
    r = client.patch(f"/api/v1/medical/patients/{r.json()['id']}", headers=c.as_("nurse"),
                     json={"blood_type": "A+",
                           "allergies": [{"substance": "Penicillin", "severity": "severe"}]})
    assert r.status_code == 200, r.text
    return r.json()


def chart(client: Any, c: Clinic, patient_id: str) -> dict[str, str]:
    """Fill every section; answers each new entry's id by section."""
    base = f"/api/v1/medical/patients/{patient_id}"
    doc = c.as_("clinician")
    ids = {}
    for section, path, body in (
        ("encounters", "encounters", {
            "starts_at": "2024-03-01T09:30:00Z", "clinician": "Dr. Shevchenko",
            "reason": "Persistent cough", "notes": "Lungs clear; advised rest.",
            "diagnoses": [{"code": "J06.9", "text": "Acute upper respiratory infection"}]}),
        ("conditions", "conditions", {"code": "I10", "text": "Essential hypertension",
                                      "onset_date": "2020-01-01"}),
        ("observations", "observations", {"code": "8867-4", "value": 72, "unit": "/min",
                                          "effective_at": "2024-03-01T09:35:00Z"}),
        ("medications", "medications", {"medication": "Lisinopril 10 mg",
                                         "dosage": "once daily", "status": "active"}),
        ("documents", "documents", {"title": "Referral", "content_type": "text/plain",
                                    "content": "UmVmZXJyYWwgbGV0dGVy"}),
        ("care_plans", "care-plans", {"title": "Knee rehabilitation",
                                      "goals": ["Walk 2 km"], "activities": ["Physio x10"]}),
    ):
        r = client.post(f"{base}/{path}", json=body, headers=doc)
        assert r.status_code == 201, (section, r.text)
        ids[section] = r.json()["id"]
    return ids


def audit_entries(client: Any, c: Clinic, patient_id: str) -> list[dict[str, Any]]:
    r = client.get("/api/v1/audit", params={"record_type": "medical.patient",
                                            "record_id": patient_id, "limit": 200},
                   headers=c.as_("owner"))
    assert r.status_code == 200, r.text
    return r.json()["items"]
