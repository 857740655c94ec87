"""Surveys: a survey, its invitations and its report, by id."""

from __future__ import annotations

from tests.conftest import TenantHandle
from tests.isolation_targets import Target


def _survey(client, t: TenantHandle) -> dict[str, str]:
    r = client.post("/api/v1/surveys", headers=t.headers, json={"name": "Victim's survey"})
    assert r.status_code == 201, r.text
    return {"survey_id": r.json()["id"]}


TARGETS = {
    "/api/v1/surveys/{survey_id}": Target(
        _survey, {"GET": None, "PATCH": {"name": "Hijacked"}, "DELETE": None}),
    "/api/v1/surveys/{survey_id}/invitations": Target(
        _survey, {"GET": None,
                  "POST": {"contact_id": "0190f0f0-0000-7000-8000-000000000000"}}),
    "/api/v1/surveys/{survey_id}/report": Target(_survey, {"GET": None}),
    # The export in the format the attack compares (the CSV's lines as JSON).
    "/api/v1/surveys/{survey_id}/report/export?format=json": Target(_survey, {"GET": None}),
}
