"""Deal pipelines and moving a deal between them: every endpoint with an id in its path."""

from __future__ import annotations

from tests.conftest import TenantHandle
from tests.isolation_targets import Target


def _pipeline(client, t: TenantHandle) -> dict[str, str]:
    r = client.post("/api/v1/pipelines", json={"label": "Victim's renewals"},
                    headers=t.headers)
    assert r.status_code == 201, r.text
    return {"pipeline_id": r.json()["id"]}


def _default_pipeline(client, t: TenantHandle) -> dict[str, str]:
    items = client.get("/api/v1/pipelines", headers=t.headers).json()["items"]
    return {"pipeline_id": next(p["id"] for p in items if p["is_default"])}


def _deal(client, t: TenantHandle) -> dict[str, str]:
    r = client.post("/api/v1/deals", json={"title": "Victim's deal"}, headers=t.headers)
    assert r.status_code == 201, r.text
    return {"deal_id": r.json()["id"]}


TARGETS = {
    "/api/v1/pipelines/{pipeline_id}": Target(
        _pipeline, {"GET": None, "PATCH": {"label": "Hijacked", "position": 0}, "DELETE": None}
    ),
    "/api/v1/pipelines/{pipeline_id}/stages": Target(
        _default_pipeline, {"PUT": {"stages": [{"key": "lead", "label": "Hijacked"}]}}
    ),
    "/api/v1/deals/{deal_id}/pipeline": Target(_deal, {"POST": {"pipeline": "default"}}),
}
