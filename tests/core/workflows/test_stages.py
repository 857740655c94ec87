"""Tenants rename and add stages where the workflow allows it (deal pipelines)."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient

from tests.conftest import TenantHandle
from tests.core.workflows.conftest import member_headers, new_record

STAGES = "/api/v1/workflows/test.deal/stages"


def workflow_of(client: TestClient, org: TenantHandle, name: str = "test.deal") -> dict[str, Any]:
    r = client.get("/api/v1/workflows", headers=org.headers)
    assert r.status_code == 200, r.text
    return next(w for w in r.json()["items"] if w["name"] == name)


def stage_list(wf: dict[str, Any]) -> list[tuple[str, str, bool]]:
    return [(s["key"], s["label"], s["custom"]) for s in wf["stages"]]


def test_the_list_shows_every_declared_workflow_with_its_guards(
    wf_client: TestClient, org: TenantHandle
) -> None:
    items = wf_client.get("/api/v1/workflows", headers=org.headers).json()["items"]
    assert [w["name"] for w in items] == ["test.access", "test.deal"]
    deal = items[1]
    assert deal["allow_tenant_stages"] is True and deal["initial"] == "lead"
    qualify, win, lose = deal["transitions"]
    assert qualify["conditions"] == ["email is present"] and qualify["roles"] is None
    assert win["roles"] == ["admin", "owner"]
    assert lose["sources"] == ["*"]


def test_a_tenant_renames_and_adds_stages_and_only_it_sees_them(
    wf_client: TestClient, org: TenantHandle, other_org: TenantHandle
) -> None:
    r = wf_client.put(STAGES, headers=org.headers, json={"stages": [
        {"key": "qualified", "label": "Vetted"},
        {"key": "demo", "label": "Demo booked", "position": 2},
        {"key": "parked", "label": "Parked"},
    ]})
    assert r.status_code == 200, r.text
    expected = [("lead", "Lead", False), ("qualified", "Vetted", False),
                ("demo", "Demo booked", True), ("won", "Won", False), ("lost", "Lost", False),
                ("parked", "Parked", True)]
    assert stage_list(r.json()) == expected
    assert stage_list(workflow_of(wf_client, org)) == expected
    moves = [t for t in r.json()["transitions"] if t["name"].startswith("move_to_")]
    assert [(t["name"], t["sources"], t["target"]) for t in moves] == [
        ("move_to_demo", ["*"], "demo"), ("move_to_parked", ["*"], "parked")
    ]
    assert [s[1] for s in stage_list(workflow_of(wf_client, other_org))] == [
        "Lead", "Qualified", "Won", "Lost"
    ]


def test_an_added_stage_is_reached_by_its_move_and_left_by_star_transitions(
    wf_client: TestClient, org: TenantHandle
) -> None:
    wf_client.put(STAGES, headers=org.headers,
                  json={"stages": [{"key": "demo", "label": "Demo booked", "position": 1}]})
    rec = new_record(wf_client, org, email="ada@example.com")
    r = wf_client.post(f"{rec.url}/transitions/move_to_demo", headers=org.headers)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == {"key": "demo", "label": "Demo booked", "terminal": False,
                                 "custom": True}
    assert {t["name"] for t in r.json()["transitions"]} == {"lose", "move_to_demo"}
    refused = wf_client.post(f"{rec.url}/transitions/qualify", headers=org.headers)
    assert refused.status_code == 409 and refused.json()["current_state"] == "demo"
    assert wf_client.post(f"{rec.url}/transitions/lose", headers=org.headers).status_code == 200


def test_a_stage_with_records_in_it_cannot_be_removed(
    wf_client: TestClient, org: TenantHandle
) -> None:
    demo = {"key": "demo", "label": "Demo", "position": 1}
    wf_client.put(STAGES, headers=org.headers, json={"stages": [demo]})
    rec = new_record(wf_client, org)
    wf_client.post(f"{rec.url}/transitions/move_to_demo", headers=org.headers)

    r = wf_client.put(STAGES, headers=org.headers, json={"stages": []})
    assert r.status_code == 409, r.text
    assert r.json()["occupied_stages"] == ["demo"]
    assert "'demo' (1 records)" in r.json()["detail"]
    assert ("demo", "Demo", True) in stage_list(workflow_of(wf_client, org))

    wf_client.post(f"{rec.url}/transitions/lose", headers=org.headers)
    r = wf_client.put(STAGES, headers=org.headers, json={"stages": []})
    assert r.status_code == 200, r.text
    assert "demo" not in [s["key"] for s in r.json()["stages"]]
    assert all(t["name"] != "move_to_demo" for t in r.json()["transitions"])


def test_a_deleted_record_no_longer_occupies_its_stage(
    wf_client: TestClient, org: TenantHandle
) -> None:
    demo = {"key": "demo", "label": "Demo", "position": 1}
    wf_client.put(STAGES, headers=org.headers, json={"stages": [demo]})
    rec = new_record(wf_client, org)
    wf_client.post(f"{rec.url}/transitions/move_to_demo", headers=org.headers)
    assert wf_client.put(STAGES, headers=org.headers, json={"stages": []}).status_code == 409
    gone = wf_client.delete(f"/api/v1/test-crm/contacts/{rec.id}", headers=org.headers)
    assert gone.status_code == 204, gone.text
    assert wf_client.get(rec.url, headers=org.headers).status_code == 404
    assert wf_client.put(STAGES, headers=org.headers, json={"stages": []}).status_code == 200


def test_putting_the_list_back_changes_nothing(wf_client: TestClient, org: TenantHandle) -> None:
    body = {"stages": [{"key": "lead", "label": "Inbound"},
                       {"key": "demo", "label": "Demo", "position": 1, "terminal": False},
                       {"key": "shelved", "label": "Shelved", "terminal": True}]}
    first = wf_client.put(STAGES, headers=org.headers, json=body).json()
    again = wf_client.put(STAGES, headers=org.headers, json=body).json()
    assert first == again
    assert first["stages"][-1] == {"key": "shelved", "label": "Shelved", "terminal": True,
                                   "custom": True}


def test_stage_changes_are_for_owners_and_admins_only(
    wf_client: TestClient, org: TenantHandle
) -> None:
    member = member_headers(wf_client, org, "member")
    r = wf_client.put(STAGES, headers=member, json={"stages": [{"key": "x", "label": "X"}]})
    assert r.status_code == 403
    admin = member_headers(wf_client, org, "admin")
    r = wf_client.put(STAGES, headers=admin, json={"stages": [{"key": "x", "label": "X"}]})
    assert r.status_code == 200, r.text


def test_a_workflow_without_tenant_stages_refuses_changes_with_409(
    wf_client: TestClient, org: TenantHandle
) -> None:
    r = wf_client.put("/api/v1/workflows/test.access/stages", headers=org.headers,
                      json={"stages": [{"key": "approved", "label": "OK"}]})
    assert r.status_code == 409
    assert "test.access" in r.json()["detail"]
    r = wf_client.put("/api/v1/workflows/nope/stages", headers=org.headers,
                      json={"stages": []})
    assert r.status_code == 404


def test_bad_stage_lists_are_422_naming_the_entry(
    wf_client: TestClient, org: TenantHandle
) -> None:
    cases = [
        ([{"key": "Demo Day", "label": "x"}], "stages[0].key"),
        ([{"key": "a", "label": "A"}, {"key": "a", "label": "B"}], "stages[1].key"),
        ([{"key": "lead", "label": "Lead", "position": 3}], "stages[0].position"),
        ([{"key": "won", "label": "Won", "terminal": False}], "stages[0].terminal"),
        ([{"key": "a", "label": "A", "position": 1}, {"key": "b", "label": "B", "position": 1}],
         "stages[1].position"),
        ([{"key": "a", "label": "   "}], "stages[0].label"),
    ]
    for stages, field in cases:
        r = wf_client.put(STAGES, headers=org.headers, json={"stages": stages})
        assert r.status_code == 422, (stages, r.text)
        assert field in [e["field"] for e in r.json()["errors"]], (stages, r.json())
    r = wf_client.put(STAGES, headers=org.headers, json={"stages": [{"key": "a"}]})
    assert r.status_code == 422
    assert stage_list(workflow_of(wf_client, org))[1] == ("qualified", "Qualified", False)
