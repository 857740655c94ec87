"""A partner reads a shared record through a plugin route: admitted only under an active
grant, and every such read lands in the audit log both organizations see."""

from __future__ import annotations

from litestar.testing import TestClient

from tests.conftest import Database, TenantHandle
from tests.core.sharing.support import add_patient, member_headers, user_id_of
from tests.core.sharing.test_grants_api import GRANTS, grant_body


def _audit(client: TestClient, org: TenantHandle, patient: object) -> list[dict]:
    r = client.get(
        f"/api/v1/audit?record_type=test.patient&record_id={patient}", headers=org.headers
    )
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_partner_reads_granted_notes_and_both_see_the_read_in_the_audit_log(
    sharing_client: TestClient,
    database: Database,
    clinic: TenantHandle,
    partner: TenantHandle,
    stranger: TenantHandle,
) -> None:
    c = sharing_client
    patient = add_patient(database, clinic.id, "Petra", ["allergy: penicillin"])
    notes = f"/api/v1/test-share/tenants/{clinic.id}/patients/{patient}/notes"
    reader = member_headers(c, partner, "viewer")
    assert c.get(notes, headers=reader).status_code == 404

    g = c.post(GRANTS, json=grant_body(partner, record_id=str(patient)), headers=clinic.headers)
    assert g.status_code == 201, g.text
    r = c.get(notes, headers=reader)
    assert r.status_code == 200, r.text
    assert r.json() == ["allergy: penicillin"]

    for org in (clinic, partner):
        entries = _audit(c, org, patient)
        assert [e["action"] for e in entries] == ["read", "share"], org.slug
        read = entries[0]
        assert read["tenant_id"] == clinic.id
        assert read["actor_tenant_id"] == partner.id == read["counterpart_tenant_id"]
        assert read["actor_user_id"] == user_id_of(c, reader)
        assert read["detail"] == {"section": "notes"}
    assert _audit(c, stranger, patient) == []

    # Revoked: the very next request is refused and logs nothing more.
    assert c.post(f"{GRANTS}/{g.json()['id']}/revoke", headers=clinic.headers).status_code == 200
    assert c.get(notes, headers=reader).status_code == 404
    assert [e["action"] for e in _audit(c, partner, patient)] == ["revoke", "read", "share"]


def test_a_role_the_rule_does_not_admit_cannot_read_even_under_a_grant(
    sharing_client: TestClient, database: Database, clinic: TenantHandle, partner: TenantHandle
) -> None:
    c = sharing_client
    patient = add_patient(database, clinic.id, "Pavlo", ["note"])
    body = grant_body(partner, record_id=str(patient))
    assert c.post(GRANTS, json=body, headers=clinic.headers).status_code == 201
    # Owners are not in test.patient's read or write roles.
    r = c.get(
        f"/api/v1/test-share/tenants/{clinic.id}/patients/{patient}/notes", headers=partner.headers
    )
    assert r.status_code == 403 and "sharing rule test.patient" in r.json()["detail"]
    assert [e["action"] for e in _audit(c, clinic, patient)] == ["share"]
