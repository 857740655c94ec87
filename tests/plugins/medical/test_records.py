"""A clinic's own patient records: registration, sections, roles, validation, audit."""

from __future__ import annotations

from tests.plugins.medical.support import audit_entries, chart, clinic, patient


def test_clinician_records_every_section_and_reads_the_chart(client):
    c = clinic(client)
    p = patient(client, c)
    chart(client, c, p["id"])
    r = client.get(f"/api/v1/medical/patients/{p['id']}/record", headers=c.as_("clinician"))
    assert r.status_code == 200, r.text
    sections = r.json()["sections"]
    assert set(sections) == {"demographics", "encounters", "conditions", "observations",
                             "medications", "documents", "care_plans"}
    assert sections["demographics"][0]["mrn"] == p["mrn"]
    assert sections["demographics"][0]["given_name"] == "Olha"
    assert sections["encounters"][0]["diagnoses"] == [
        {"code": "J06.9", "text": "Acute upper respiratory infection"}]
    assert sections["observations"][0]["unit"] == "/min"
    assert "content" not in sections["documents"][0]
