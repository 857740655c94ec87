"""Allergies and the blood type are clinical: an allergies section of their own and a
blood-group observation — not demographics, which receptionists and demographics grants
see. Given with the patient in the API all the same, to those who may see them."""

from __future__ import annotations

from fhir.resources.R4B.bundle import Bundle

from tests.plugins.medical.support import audit_entries, clinic, patient
from tests.plugins.medical.test_sharing import _approve, _ask, _shared


def _record(client, c, p, role, **params):
    return client.get(f"/api/v1/medical/patients/{p['id']}/record", params=params,
                      headers=c.as_(role))


def test_the_desk_and_managers_never_see_allergies_or_blood_type(client):
    c = clinic(client)
    p = patient(client, c)
    assert [(x["substance"], x["severity"]) for x in p["allergies"]] == [
        ("Penicillin", "severe")]
    assert p["blood_type"] == "A+"
    for role in ("receptionist", "owner"):
        seen = client.get(f"/api/v1/medical/patients/{p['id']}", headers=c.as_(role)).json()
        assert seen["allergies"] is None and seen["blood_type"] is None, role
        r = _record(client, c, p, role)
        assert "Penicillin" not in r.text and "A+" not in r.text, role
        assert _record(client, c, p, role, sections="allergies").status_code == 403
    # The desk cannot record them either: refused before anything is written.
    contact = client.post("/api/v1/contacts", json={"given_name": "Iryna"},
                          headers=c.as_("owner")).json()
    r = client.post("/api/v1/medical/patients", headers=c.as_("receptionist"), json={
        "contact_id": contact["id"], "mrn": "DESK-1", "birth_date": "1990-01-01",
        "sex": "female", "allergies": [{"substance": "Latex"}]})
    assert r.status_code == 403 and "allergies" in r.text
    found = client.get("/api/v1/medical/patients", params={"mrn": "DESK-1"},
                       headers=c.as_("receptionist")).json()
    assert found["items"] == []
    r = client.patch(f"/api/v1/medical/patients/{p['id']}", json={"blood_type": "B+"},
                     headers=c.as_("receptionist"))
    assert r.status_code == 403 and "observations" in r.text


def test_clinicians_see_them_as_an_allergies_section_and_a_blood_group_observation(client):
    c = clinic(client)
    p = patient(client, c)
    sections = _record(client, c, p, "clinician").json()["sections"]
    assert "allergies" not in sections["demographics"][0]
    assert "blood_type" not in sections["demographics"][0]
    penicillin = sections["allergies"][0]
    assert (penicillin["substance"], penicillin["severity"]) == ("Penicillin", "severe")
    assert [o["value_code"] for o in sections["observations"]] == ["A+"]
    # A new blood type is a new observation (the old one stays); unsetting is refused.
    r = client.patch(f"/api/v1/medical/patients/{p['id']}", json={"blood_type": "B+"},
                     headers=c.as_("clinician"))
    assert r.status_code == 200 and r.json()["blood_type"] == "B+"
    r = client.patch(f"/api/v1/medical/patients/{p['id']}", json={"blood_type": None},
                     headers=c.as_("clinician"))
    assert r.status_code == 422 and "blood_type" in r.text
    # Replacing the list keeps unchanged allergies (same id) and records the new one.
    r = client.patch(f"/api/v1/medical/patients/{p['id']}", headers=c.as_("nurse"), json={
        "allergies": [{"substance": "Penicillin", "severity": "severe"},
                      {"substance": "Latex", "reaction": "Rash"}]})
    assert [a["substance"] for a in r.json()["allergies"]] == ["Penicillin", "Latex"]
    sections = _record(client, c, p, "clinician").json()["sections"]
    assert sections["allergies"][0]["id"] == penicillin["id"]
    assert [o["value_code"] for o in sections["observations"]] == ["A+", "B+"]
    changed = [e for e in audit_entries(client, c, p["id"])
               if e["action"] == "update" and e["detail"]["sections"] == ["allergies"]]
    assert changed and all(str(v).startswith("sha256:") for e in changed
                           for v in e["changes"]["allergies"] if v)
    # FHIR: AllergyIntolerance per allergy, the blood type a laboratory Observation.
    bundle = client.get(f"/api/v1/medical/patients/{p['id']}/export",
                        headers=c.as_("clinician")).json()
    Bundle.model_validate(bundle)
    kinds = [e["resource"] for e in bundle["entry"]]
    assert sorted(r["code"]["text"] for r in kinds if r["resourceType"] == "AllergyIntolerance"
                  ) == ["Latex", "Penicillin"]
    blood = [r for r in kinds if r["resourceType"] == "Observation"
             and r["code"]["coding"][0]["code"] == "882-1"]
    assert [b["valueCodeableConcept"]["text"] for b in blood] == ["A+", "B+"]
    assert blood[0]["category"][0]["coding"][0]["code"] == "laboratory"
    patient_resource = next(r for r in kinds if r["resourceType"] == "Patient")
    assert "extension" not in patient_resource


def test_a_demographics_grant_shares_neither_an_allergies_grant_shares_them(client):
    a, b = clinic(client), clinic(client)
    p = patient(client, a)
    _approve(client, a, _ask(client, a, b, p, sections=("demographics",))["id"])
    r = _shared(client, b, a, p)
    assert r.status_code == 200 and set(r.json()["sections"]) == {"demographics"}
    assert "Penicillin" not in r.text and "A+" not in r.text
    assert _shared(client, b, a, p, sections="allergies").status_code == 404
    _approve(client, a, _ask(client, a, b, p, sections=("allergies",))["id"])
    r = _shared(client, b, a, p, sections="allergies")
    assert r.status_code == 200, r.text
    assert [x["substance"] for x in r.json()["sections"]["allergies"]] == ["Penicillin"]
    assert "recorded_by" not in r.json()["sections"]["allergies"][0]
