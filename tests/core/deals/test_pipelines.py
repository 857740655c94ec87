"""Several pipelines per organization: create, rename, reorder, delete (409 while deals are
in one), their own stages, deals created in and moved between them, lists filtered by them."""

from __future__ import annotations

from tests.core.deals.support import audit_log, member, outbox

P = "/api/v1/pipelines"


def _deal(client, t, **body) -> dict:
    r = client.post("/api/v1/deals", json={"title": "Deal", **body}, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _pipelines(client, t) -> list[dict]:
    r = client.get(P, headers=t.headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def test_pipelines_lifecycle(client, tenant, database):
    h = tenant.headers
    [default] = _pipelines(client, tenant)
    assert default["key"] == "default" and default["is_default"] and default["position"] == 0
    assert default["workflow"] == "deals.pipeline"
    assert [s["key"] for s in default["stages"]][:2] == ["lead", "qualified"]

    r = client.post(P, json={"label": "Renewals"}, headers=h)
    assert r.status_code == 201, r.text
    renewals = r.json()
    assert renewals["key"] == "renewals" and renewals["position"] == 1
    assert renewals["workflow"] == "deals.pipeline.renewals"
    r = client.post(P, json={"label": "Партнери", "position": 0}, headers=h)
    partners = r.json()
    assert partners["key"] == "pipeline_2" and partners["position"] == 0
    assert [p["key"] for p in _pipelines(client, tenant)] == ["pipeline_2", "default",
                                                              "renewals"]
    assert client.post(P, json={"label": "Again", "key": "renewals"},
                       headers=h).status_code == 409
    r = client.post(P, json={"label": "Bad", "key": "Bad Key"}, headers=h)
    assert r.status_code == 400 or r.status_code == 422, r.text
    assert "key" in r.text

    # Rename and reorder.
    r = client.patch(f"{P}/{default['id']}", json={"label": "New business", "position": 2},
                     headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["label"] == "New business" and r.json()["id"] == default["id"]
    assert [p["key"] for p in _pipelines(client, tenant)] == ["pipeline_2", "renewals",
                                                              "default"]

    # Each pipeline its own stages.
    r = client.put(f"{P}/{renewals['id']}/stages", headers=h, json={"stages": [
        {"key": "lead", "label": "Up for renewal"},
        {"key": "quoted", "label": "Quoted", "position": 1}]})
    assert r.status_code == 200, r.text
    assert [s["key"] for s in r.json()["stages"]][:3] == ["lead", "quoted", "qualified"]
    [again] = [p for p in _pipelines(client, tenant) if p["key"] == "default"]
    assert "quoted" not in [s["key"] for s in again["stages"]]
    assert again["stages"][0]["label"] == "Lead"

    # Deals in a pipeline; the list filters by it.
    plain = _deal(client, tenant)
    assert plain["pipeline"] == "default" and plain["stage"]["key"] == "lead"
    renewal = _deal(client, tenant, pipeline="renewals")
    assert renewal["pipeline"] == "renewals"
    assert renewal["stage"] == {"key": "lead", "label": "Up for renewal"}
    r = client.post("/api/v1/deals", json={"title": "X", "pipeline": "nope"}, headers=h)
    assert r.status_code == 422 and "pipeline" in r.text
    listed = client.get("/api/v1/deals?pipeline=renewals", headers=h).json()["items"]
    assert [d["id"] for d in listed] == [renewal["id"]]
    r = client.get("/api/v1/deals?pipeline=renewals&stage=quoted", headers=h)
    assert r.status_code == 200 and r.json()["items"] == []
    r = client.get("/api/v1/deals?pipeline=default&stage=quoted", headers=h)
    assert r.status_code == 422 and "stage" in r.text
    assert client.get("/api/v1/deals?pipeline=nope", headers=h).status_code == 422

    # Moves within a pipeline use its own stages.
    r = client.post(f"/api/v1/deals/{renewal['id']}/transitions/move_to_quoted", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["stage"] == {"key": "quoted", "label": "Quoted"}
    r = client.post(f"/api/v1/deals/{plain['id']}/transitions/move_to_quoted", headers=h)
    assert r.status_code == 404

    # Deleting a pipeline with deals: 409 naming the count; the default one never.
    r = client.delete(f"{P}/{renewals['id']}", headers=h)
    assert r.status_code == 409 and "1 deals" in r.text, r.text
    assert client.delete(f"{P}/{default['id']}", headers=h).status_code == 409

    # Move the deal out (first stage), then the pipeline can go.
    r = client.post(f"/api/v1/deals/{renewal['id']}/pipeline", json={"pipeline": "default"},
                    headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["pipeline"] == "default" and r.json()["stage"]["key"] == "lead"
    history = client.get(f"/api/v1/workflows/deals.pipeline/records/{renewal['id']}",
                         headers=h).json()["history"]
    assert [e["transition"] for e in history] == [None, "move_to_quoted", "change_pipeline"]
    assert history[-1]["from_state"] == "quoted"
    assert client.delete(f"{P}/{renewals['id']}", headers=h).status_code == 204
    assert [p["key"] for p in _pipelines(client, tenant)] == ["pipeline_2", "default"]
    assert client.get(f"{P}/{renewals['id']}", headers=h).status_code == 404
    assert audit_log(client, tenant, "deal_pipeline", renewals["id"])
    assert outbox(database, tenant.id, "deal.pipeline_changed")


def test_moving_a_deal_between_pipelines(client, tenant):
    h = tenant.headers
    r = client.post(P, json={"label": "Renewals"}, headers=h)
    assert r.status_code == 201
    deal = _deal(client, tenant)
    url = f"/api/v1/deals/{deal['id']}/pipeline"
    # A chosen stage; its condition holds as a transition's would.
    r = client.post(url, json={"pipeline": "renewals", "stage": "won"}, headers=h)
    assert r.status_code == 409 and "amount" in r.text
    r = client.post(url, json={"pipeline": "renewals", "stage": "nowhere"}, headers=h)
    assert r.status_code == 422 and "stage" in r.text
    r = client.post(url, json={"pipeline": "elsewhere"}, headers=h)
    assert r.status_code == 422 and "pipeline" in r.text
    r = client.post(url, json={"pipeline": "default"}, headers=h)
    assert r.status_code == 409
    r = client.post(url, json={"pipeline": "renewals", "stage": "proposal", "note": "Upsell"},
                    headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["pipeline"] == "renewals" and r.json()["stage"]["key"] == "proposal"
    # It now moves through the renewals pipeline's workflow.
    r = client.post(f"/api/v1/deals/{deal['id']}/transitions/negotiate", headers=h)
    assert r.status_code == 200 and r.json()["stage"]["key"] == "negotiation"
    got = client.get(f"/api/v1/deals/{deal['id']}", headers=h).json()
    assert got["pipeline"] == "renewals" and got["stage"]["key"] == "negotiation"


def test_pipeline_rights(client, tenant):
    _, member_headers = member(client, tenant, "member")
    _, viewer_headers = member(client, tenant, "viewer")
    assert client.post(P, json={"label": "Mine"}, headers=member_headers).status_code == 403
    assert client.get(P, headers=viewer_headers).status_code == 200
    deal = _deal(client, tenant)
    client.post(P, json={"label": "Renewals"}, headers=tenant.headers)
    r = client.post(f"/api/v1/deals/{deal['id']}/pipeline", json={"pipeline": "renewals"},
                    headers=viewer_headers)
    assert r.status_code == 403
    r = client.post(f"/api/v1/deals/{deal['id']}/pipeline", json={"pipeline": "renewals"},
                    headers=member_headers)
    assert r.status_code == 200
