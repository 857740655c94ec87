"""Plugins' measures in the members' report (rapport_member_measures): the dealership's kept
and broken promises, the clinic's encounters — each only where the module is enabled."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import sign_up
from tests.core.deals.support import member_id
from tests.plugins.dealership.support import customer, dealer, promise
from tests.plugins.medical.support import clinic, patient

REPORT = "/api/v1/reports/members"


def _row(report: dict, member: str) -> dict:
    return next(m for m in report["members"] if m["member_id"] == member)


def test_dealership_promises_kept_and_broken_by_who_promised(client):
    d = dealer(client)
    c = customer(client, d)
    for outcome in ("kept", "kept", "broken"):
        p = promise(client, d, c)
        r = client.post(f"/api/v1/dealership/promises/{p['id']}/resolve",
                        json={"outcome": outcome, "evidence": "Checked with the customer"},
                        headers=d.as_("salesperson"))
        assert r.status_code == 200, r.text
    report = client.get(REPORT, headers=d.as_("owner")).json()
    names = {m["name"]: m for m in report["measures"]}
    assert names["dealership.promises_kept"]["labels"]["uk"] == "Обіцянки виконано"
    assert names["dealership.promises_broken"]["higher_is_better"] is False
    assert _row(report, d.members["salesperson"])["measures"] == {
        "dealership.promises_broken": 1.0, "dealership.promises_kept": 2.0}
    assert _row(report, d.members["sales_manager"])["measures"]["dealership.promises_kept"] == 0


def test_clinic_encounters_by_who_recorded_them_and_not_elsewhere(client):
    c = clinic(client)
    p = patient(client, c)
    today = datetime.now(UTC)
    for days, status in ((1, "finished"), (2, "finished"), (3, "cancelled"), (60, "finished")):
        r = client.post(f"/api/v1/medical/patients/{p['id']}/encounters",
                        headers=c.as_("clinician"),
                        json={"starts_at": (today - timedelta(days=days)).isoformat(),
                              "clinician": "Dr. Shevchenko", "status": status})
        assert r.status_code == 201, r.text
    report = client.get(REPORT, headers=c.as_("owner")).json()
    assert [m["name"] for m in report["measures"]] == ["medical.encounters"]
    clinician = member_id(client, c.tenant, c.emails["clinician"])
    assert _row(report, clinician)["measures"] == {"medical.encounters": 2.0}
    assert client.get(REPORT, headers=sign_up(client).headers).json()["measures"] == []
