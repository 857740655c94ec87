"""Firing transitions over HTTP: state rules, role and field guards, history, actions."""

from __future__ import annotations

from datetime import datetime

from litestar.testing import TestClient

from tests.conftest import TenantHandle
from tests.core.workflows.conftest import member_headers, new_record


def test_a_started_record_is_in_the_initial_state_with_one_history_entry(
    wf_client: TestClient, org: TenantHandle
) -> None:
    rec = new_record(wf_client, org, email="ada@example.com")
    body = wf_client.get(rec.url, headers=org.headers).json()
    assert body["state"] == {"key": "lead", "label": "Lead", "terminal": False, "custom": False}
    assert body["record_type"] == "contact"
    assert [(h["transition"], h["from_state"], h["to_state"]) for h in body["history"]] == [
        (None, None, "lead")
    ]
    options = {t["name"]: t["allowed"] for t in body["transitions"]}
    assert options == {"qualify": True, "lose": True}


def test_firing_moves_the_record_and_records_who_when_from_to_and_note(
    wf_client: TestClient, org: TenantHandle
) -> None:
    rec = new_record(wf_client, org, email="ada@example.com")
    r = wf_client.post(f"{rec.url}/transitions/qualify", headers=org.headers,
                       json={"note": "  called them  "})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["state"]["key"] == "qualified"
    start, step = body["history"]
    assert step["transition"] == "qualify"
    assert (step["from_state"], step["to_state"]) == ("lead", "qualified")
    assert step["note"] == "called them"
    assert step["actor_name"] == "Olena Owner"
    me = wf_client.get("/api/v1/me", headers=org.headers).json()
    assert step["actor_id"] == me["user"]["id"] == start["actor_id"]
    assert datetime.fromisoformat(start["at"]) < datetime.fromisoformat(step["at"])
    assert {t["name"] for t in body["transitions"]} == {"win", "lose"}


def test_a_transition_not_allowed_from_the_current_state_is_409_naming_state_and_options(
    wf_client: TestClient, org: TenantHandle
) -> None:
    rec = new_record(wf_client, org)
    r = wf_client.post(f"{rec.url}/transitions/win", headers=org.headers)
    assert r.status_code == 409, r.text
    problem = r.json()
    assert problem["current_state"] == "lead"
    assert problem["allowed_transitions"] == ["qualify", "lose"]
    assert "'lead'" in problem["detail"] and "qualify" in problem["detail"]
    assert len(wf_client.get(rec.url, headers=org.headers).json()["history"]) == 1


def test_nothing_leaves_a_terminal_state(wf_client: TestClient, org: TenantHandle) -> None:
    rec = new_record(wf_client, org)
    assert wf_client.post(f"{rec.url}/transitions/lose", headers=org.headers).status_code == 200
    r = wf_client.post(f"{rec.url}/transitions/lose", headers=org.headers)
    assert r.status_code == 409
    assert r.json()["allowed_transitions"] == []
    assert wf_client.get(rec.url, headers=org.headers).json()["transitions"] == []


def test_a_failing_field_condition_is_409_naming_the_condition(
    wf_client: TestClient, org: TenantHandle
) -> None:
    rec = new_record(wf_client, org, given_name="No Email")
    r = wf_client.post(f"{rec.url}/transitions/qualify", headers=org.headers)
    assert r.status_code == 409, r.text
    assert r.json()["condition"] == "email is present"
    assert "email is present (email is None)" in r.json()["detail"]
    option = next(t for t in wf_client.get(rec.url, headers=org.headers).json()["transitions"]
                  if t["name"] == "qualify")
    assert option["allowed"] is False and "email is present" in option["reason"]

    patched = wf_client.patch(f"/api/v1/contacts/{rec.id}", headers=org.headers,
                              json={"email": "found@example.com"})
    assert patched.status_code == 200, patched.text
    r = wf_client.post(f"{rec.url}/transitions/qualify", headers=org.headers)
    assert r.status_code == 200, r.text


def test_a_role_outside_the_transition_roles_is_403_naming_the_role(
    wf_client: TestClient, org: TenantHandle
) -> None:
    rec = new_record(wf_client, org, email="ada@example.com")
    member = member_headers(wf_client, org, "member")
    assert wf_client.post(f"{rec.url}/transitions/qualify", headers=member).status_code == 200
    win = next(t for t in wf_client.get(rec.url, headers=member).json()["transitions"]
               if t["name"] == "win")
    assert win["allowed"] is False and "'member'" in win["reason"]
    r = wf_client.post(f"{rec.url}/transitions/win", headers=member)
    assert r.status_code == 403, r.text
    assert "'member'" in r.json()["detail"] and "admin, owner" in r.json()["detail"]
    assert wf_client.get(rec.url, headers=org.headers).json()["state"]["key"] == "qualified"


def test_viewers_read_the_workflow_but_fire_nothing(
    wf_client: TestClient, org: TenantHandle
) -> None:
    rec = new_record(wf_client, org)
    viewer = member_headers(wf_client, org, "viewer")
    body = wf_client.get(rec.url, headers=viewer).json()
    assert all(not t["allowed"] for t in body["transitions"])
    r = wf_client.post(f"{rec.url}/transitions/lose", headers=viewer)
    assert r.status_code == 403
    assert "'viewer'" in r.json()["detail"]


def test_unknown_workflow_transition_or_record_is_404(
    wf_client: TestClient, org: TenantHandle
) -> None:
    rec = new_record(wf_client, org)
    base = "/api/v1/workflows"
    assert wf_client.get(f"{base}/nope/records/{rec.id}", headers=org.headers).status_code == 404
    r = wf_client.post(f"{rec.url}/transitions/teleport", headers=org.headers)
    assert r.status_code == 404 and "teleport" in r.json()["detail"]
    stranger = "0190aaaa-0000-7000-8000-000000000000"
    assert wf_client.get(f"{base}/test.deal/records/{stranger}",
                         headers=org.headers).status_code == 404
    # The record exists, but was never started in this other workflow.
    assert wf_client.get(f"{base}/test.access/records/{rec.id}",
                         headers=org.headers).status_code == 404


def test_starting_a_record_twice_is_409(wf_client: TestClient, org: TenantHandle) -> None:
    rec = new_record(wf_client, org)
    r = wf_client.post(f"/api/v1/test-crm/contacts/{rec.id}/workflows/test.deal",
                       headers=org.headers)
    assert r.status_code == 409, r.text


def test_a_record_can_be_in_two_workflows_at_once(
    wf_client: TestClient, org: TenantHandle
) -> None:
    rec = new_record(wf_client, org)
    r = wf_client.post(f"/api/v1/test-crm/contacts/{rec.id}/workflows/test.access",
                       headers=org.headers)
    assert r.status_code == 201 and r.json() == {"state": "requested"}
    access = f"/api/v1/workflows/test.access/records/{rec.id}"
    assert wf_client.post(f"{access}/transitions/approve", headers=org.headers).status_code == 200
    assert wf_client.get(rec.url, headers=org.headers).json()["state"]["key"] == "lead"


def test_an_action_writes_in_the_same_transaction(
    wf_client: TestClient, org: TenantHandle
) -> None:
    rec = new_record(wf_client, org, email="ada@example.com")
    wf_client.post(f"{rec.url}/transitions/qualify", headers=org.headers)
    assert wf_client.post(f"{rec.url}/transitions/win", headers=org.headers).status_code == 200
    contact = wf_client.get(f"/api/v1/contacts/{rec.id}", headers=org.headers).json()
    assert contact["family_name"] == "qualified->won by owner"


def test_a_raising_action_leaves_nothing_written(
    wf_client: TestClient, org: TenantHandle
) -> None:
    rec = new_record(wf_client, org, email="ada@example.com")
    wf_client.post(f"{rec.url}/transitions/qualify", headers=org.headers)
    before = wf_client.get(rec.url, headers=org.headers).json()

    crashed = wf_client.post(f"{rec.url}/transitions/win", headers=org.headers,
                             json={"note": "fail"})
    assert crashed.status_code == 500
    assert "the action failed" not in crashed.text
    refused = wf_client.post(f"{rec.url}/transitions/win", headers=org.headers,
                             json={"note": "refuse"})
    assert refused.status_code == 409
    assert refused.json()["detail"] == "The action refused the transition"

    assert wf_client.get(rec.url, headers=org.headers).json() == before
    contact = wf_client.get(f"/api/v1/contacts/{rec.id}", headers=org.headers).json()
    assert contact["family_name"] is None


def test_a_plugin_route_fires_through_the_service_with_its_own_snapshot(
    wf_client: TestClient, org: TenantHandle
) -> None:
    rec = new_record(wf_client, org, email="ada@example.com")
    r = wf_client.post(f"/api/v1/test-crm/contacts/{rec.id}/transitions/qualify",
                       headers=org.headers)
    assert r.status_code == 200, r.text
    assert r.json() == {"state": "qualified", "transition": "qualify"}
    r = wf_client.post(f"/api/v1/test-crm/contacts/{rec.id}/transitions/qualify",
                       headers=org.headers)
    assert r.status_code == 409
    last = wf_client.get(rec.url, headers=org.headers).json()["history"][-1]
    assert last["note"] == "from the plugin route"


def test_bad_fire_bodies_are_422(wf_client: TestClient, org: TenantHandle) -> None:
    rec = new_record(wf_client, org, email="ada@example.com")
    too_long = wf_client.post(f"{rec.url}/transitions/qualify", headers=org.headers,
                              json={"note": "x" * 2001})
    assert too_long.status_code == 422
    # Field values come from the server's snapshot, never from the client.
    smuggled = wf_client.post(f"{rec.url}/transitions/qualify", headers=org.headers,
                              json={"fields": {"email": "x@example.com"}})
    assert smuggled.status_code == 422
    assert wf_client.get(rec.url, headers=org.headers).json()["state"]["key"] == "lead"


def test_the_workflow_doors_are_described_in_the_openapi_schema(wf_client: TestClient) -> None:
    r = wf_client.get("/schema/openapi.json")
    assert r.status_code == 200, r.text
    paths = r.json()["paths"]
    fire_door = "/api/v1/workflows/{workflow}/records/{record_id}/transitions/{name}"
    assert set(paths[fire_door]) == {"post"}
    assert set(paths["/api/v1/workflows/{workflow}/stages"]) == {"put"}
    params = {p["name"] for p in paths[fire_door]["post"]["parameters"]}
    assert params == {"workflow", "record_id", "name"}
