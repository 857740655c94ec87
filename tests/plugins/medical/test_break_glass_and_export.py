"""Break-glass across clinics, the patient's access report, the FHIR export, and the
kernel audit chain catching an edited medical entry."""

from __future__ import annotations

from fhir.resources.R4B.bundle import Bundle

from tests.plugins.medical.support import chart, clinic, patient


def test_break_glass_opens_flags_and_reports(client):
    a, b = clinic(client), clinic(client)
    p = patient(client, a)
    chart(client, a, p["id"])
    body = {"organization": a.slug, "mrn": p["mrn"], "birth_date": p["birth_date"],
            "reason": "Unconscious in our emergency room", "minutes": 5}
    assert client.post("/api/v1/medical/break-glass", json=body,
                       headers=b.as_("nurse")).status_code == 403
    r = client.post("/api/v1/medical/break-glass", json={**body, "mrn": "NOPE"},
                    headers=b.as_("clinician"))
    assert r.status_code == 404
    r = client.post("/api/v1/medical/break-glass", json=body, headers=b.as_("clinician"))
    assert r.status_code == 201, r.text
    # An emergency needs the allergies most of all: break-glass opens them too.
    assert r.json()["break_glass"] is True and {"conditions", "allergies"} <= set(r.json()["sections"])
    report = client.get("/api/v1/medical/break-glass", headers=a.as_("owner")).json()["items"]
    assert len(report) == 1 and report[0]["reason"] == body["reason"] and report[0]["active"]
    access = client.get(f"/api/v1/medical/patients/{p['id']}/access-report",
                        headers=a.as_("owner")).json()["items"]
    flagged = [e for e in access if e["break_glass"]]
    assert flagged and all(e["organization_id"] == b.id for e in flagged)
    assert {s for e in flagged for s in e["sections"]} >= {"conditions", "encounters"}


def test_export_is_a_valid_fhir_bundle_of_the_whole_record(client):
    c = clinic(client)
    p = patient(client, c)
    chart(client, c, p["id"])
    r = client.get(f"/api/v1/medical/patients/{p['id']}/export", headers=c.as_("clinician"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(r.json())
    kinds = sorted({e.resource.get_resource_type() for e in bundle.entry})
    assert kinds == ["AllergyIntolerance", "CarePlan", "Condition", "DocumentReference", "Encounter",
                     "MedicationStatement", "Observation", "Patient"]
    assert client.get("/api/v1/medical/patients/01a21b37-0000-7000-8000-000000000000/export",
                      headers=c.as_("clinician")).status_code == 404


def test_audit_chain_catches_an_edited_medical_entry(client, database):
    from click.testing import CliRunner

    from rapport.cli import cli

    c = clinic(client)
    p = patient(client, c)
    client.get(f"/api/v1/medical/patients/{p['id']}/record", headers=c.as_("clinician"))
    with database.connect_superuser() as conn:
        conn.execute("UPDATE audit_events SET detail = detail || '{\"purpose\": \"forged\"}'"
                     " WHERE tenant_id = %s AND record_id = %s AND action = 'read'",
                     (c.id, p["id"]))
    env = {"RAPPORT_DATABASE_URL": database.owner_url.render_as_string(hide_password=False)}
    result = CliRunner().invoke(cli, ["audit", "verify", "--tenant", c.slug], env=env)
    assert result.exit_code != 0, result.output
