"""A clinic's own patient records: registration, sections, roles, validation, audit."""

from __future__ import annotations

import base64

from tests.plugins.medical.support import audit_entries, chart, clinic, patient


def test_clinician_records_every_section_and_reads_the_chart(client):
    c = clinic(client)
    p = patient(client, c)
    chart(client, c, p["id"])
    r = client.get(f"/api/v1/medical/patients/{p['id']}/record", headers=c.as_("clinician"))
    assert r.status_code == 200, r.text
    sections = r.json()["sections"]
    assert set(sections) == {"demographics", "encounters", "conditions", "observations",
                             "medications", "documents", "care_plans", "allergies"}
    assert sections["demographics"][0]["mrn"] == p["mrn"]
    assert sections["demographics"][0]["given_name"] == "Olha"
    assert sections["encounters"][0]["diagnoses"] == [
        {"code": "J06.9", "text": "Acute upper respiratory infection"}]
    assert sections["observations"][0]["unit"] == "/min"
    assert "content" not in sections["documents"][0]


def test_receptionist_sees_demographics_and_appointments_never_clinical(client):
    c = clinic(client)
    p = patient(client, c)
    chart(client, c, p["id"])
    desk = c.as_("receptionist")
    r = client.get(f"/api/v1/medical/patients/{p['id']}/record", headers=desk)
    assert r.status_code == 200, r.text
    sections = r.json()["sections"]
    assert set(sections) == {"demographics", "appointments"}
    assert set(sections["appointments"][0]) == {
        "id", "patient_id", "starts_at", "status", "clinician", "created_at"}
    assert "Persistent cough" not in r.text and "J06.9" not in r.text
    # Asking for encounters gets the appointments; clinical sections are refused.
    r = client.get(f"/api/v1/medical/patients/{p['id']}/record",
                   params={"sections": "encounters"}, headers=desk)
    assert set(r.json()["sections"]) == {"appointments"}
    r = client.get(f"/api/v1/medical/patients/{p['id']}/record",
                   params={"sections": "conditions"}, headers=desk)
    assert r.status_code == 403, r.text
    # Booking an appointment is fine; writing clinical content is not.
    base = f"/api/v1/medical/patients/{p['id']}/encounters"
    booked = {"starts_at": "2030-01-02T10:00:00Z", "clinician": "Dr. Shevchenko",
              "status": "planned"}
    assert client.post(base, json=booked, headers=desk).status_code == 201
    r = client.post(base, json={**booked, "diagnoses": [{"code": "I10", "text": "x"}]},
                    headers=desk)
    assert r.status_code == 403
    r = client.post(f"/api/v1/medical/patients/{p['id']}/conditions",
                    json={"code": "I10", "text": "Hypertension"}, headers=desk)
    assert r.status_code == 403
    timeline = client.get(f"/api/v1/contacts/{p['contact_id']}/timeline", headers=desk).json()
    medical = [i for i in timeline["items"] if i["source"] == "medical"]
    assert medical and all(i["kind"] == "medical.appointment" for i in medical)
    assert all("diagnoses" not in i["data"] and i["summary"] in ("planned", "finished")
               for i in medical)


def test_encounters_appear_on_the_timeline_for_clinicians(client):
    c = clinic(client)
    p = patient(client, c)
    chart(client, c, p["id"])
    r = client.get(f"/api/v1/contacts/{p['contact_id']}/timeline", headers=c.as_("clinician"))
    assert r.status_code == 200, r.text
    entry = next(i for i in r.json()["items"] if i["source"] == "medical")
    assert entry["kind"] == "medical.encounter" and entry["summary"] == "Persistent cough"
    assert entry["data"]["diagnoses"] == ["J06.9"]
    assert any(e["detail"].get("via") == "timeline" for e in audit_entries(client, c, p["id"]))


def test_bad_clinical_input_is_refused_with_the_field_named(client):
    c = clinic(client)
    p = patient(client, c)
    base = f"/api/v1/medical/patients/{p['id']}"
    doc = c.as_("clinician")
    cases = [
        ("observations", {"code": "8867-4", "value": 72, "unit": "kg",
                          "effective_at": "2024-03-01T09:35:00Z"}, "unit"),
        ("observations", {"code": "0000-0", "value": 72, "unit": "/min",
                          "effective_at": "2024-03-01T09:35:00Z"}, "code"),
        ("observations", {"code": "8867-4", "value": 72, "unit": "/min",
                          "effective_at": "2024-03-01T09:35:00"}, "effective_at"),
        ("conditions", {"code": "hypertension", "text": "x"}, "code"),
        ("encounters", {"starts_at": "2024-03-01T09:30:00Z", "clinician": "Dr",
                        "diagnoses": [{"code": "ZZZ", "text": "x"}]}, "diagnoses.0.code"),
        ("documents", {"title": "x", "content_type": "text/plain", "content": "@@@"},
         "content"),
    ]
    for path, body, field in cases:
        r = client.post(f"{base}/{path}", json=body, headers=doc)
        assert r.status_code == 422, (path, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], (path, r.text)
    # Nothing half-written: the chart is still empty.
    sections = client.get(f"{base}/record", headers=doc).json()["sections"]
    assert all(sections[s] == [] for s in sections
               if s not in ("demographics", "allergies", "observations"))
    assert [o["value_code"] for o in sections["observations"]] == ["A+"]  # the blood type
    r = client.post(f"{base}/conditions", json={"code": "I10", "text": "x"},
                    headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401


def test_mrn_is_unique_per_clinic_only(client):
    a, b = clinic(client, ()), clinic(client, ())
    a.tokens["receptionist"] = a.tenant.token
    b.tokens["receptionist"] = b.tenant.token
    patient(client, a, mrn="SAME-1", clinical=False)
    patient(client, b, mrn="SAME-1", clinical=False)  # another clinic may use the same number
    r = client.post("/api/v1/contacts", json={"given_name": "Dup"}, headers=a.as_("owner"))
    dup = client.post("/api/v1/medical/patients", headers=a.as_("owner"), json={
        "contact_id": r.json()["id"], "mrn": "SAME-1", "birth_date": "1990-01-01",
        "sex": "male"})
    assert dup.status_code == 409, dup.text


def test_every_read_and_write_is_audited(client):
    c = clinic(client)
    p = patient(client, c)
    ids = chart(client, c, p["id"])
    doc = c.as_("clinician")
    before = len(audit_entries(client, c, p["id"]))
    client.get(f"/api/v1/medical/patients/{p['id']}", headers=doc)
    client.get(f"/api/v1/medical/patients/{p['id']}/record", headers=doc)
    r = client.get(f"/api/v1/medical/patients/{p['id']}/documents/{ids['documents']}/content",
                   headers=doc)
    assert r.status_code == 200 and base64.b64decode(r.json()["content"]) == b"Referral letter"
    client.get("/api/v1/medical/patients", params={"mrn": p["mrn"]}, headers=doc)
    entries = audit_entries(client, c, p["id"])
    assert len(entries) == before + 4
    reads = [e for e in entries if e["action"] == "read"]
    assert {"patient", "sections", "purpose"} <= set(reads[0]["detail"])
    writes = [e for e in entries if e["action"] == "create"]
    assert len(writes) == 8  # the patient, its blood type, one entry per section
    # Clinical content reaches the log only as a fingerprint.
    notes = next(e for e in writes if "notes" in e["changes"])
    assert notes["changes"]["notes"][1].startswith("sha256:")
