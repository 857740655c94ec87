"""Property-based, for the dealership's operations only and with the module on (the
kernel's fuzz test sees them answer 404 to a tenant without it): schemathesis sends valid
and invalid requests to a real server; no 5xx, every answer as the document says, bad
input refused. Path parameters are real ids of the tenant's dealership records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import schemathesis
from schemathesis import GenerationMode

from tests.fuzz.support import CONFIG, _fuzz


def _seed(client, h) -> dict[str, str]:
    def made(path: str, body: dict) -> str:
        r = client.post(path, json=body, headers=h)
        assert r.status_code in (200, 201), (path, r.text)
        return str(r.json()["id"])

    d = "/api/v1/dealership"
    contact = made("/api/v1/contacts", {"given_name": "Fuzz"})
    vehicle = made(f"{d}/vehicles", {
        "make": "Fuzz", "model": "F", "model_year": 2026, "trim": "T",
        "colours": [{"code": "W", "name": "White"}, {"code": "B", "name": "Black"}],
        "base_price_minor": 100000, "currency": "EUR"})
    order = made(f"{d}/orders", {"contact_id": contact, "vehicle_id": vehicle,
                                 "colour_code": "W", "alternative_colours": ["B"]})
    return {
        "vehicle_id": vehicle,
        "unit_id": made(f"{d}/stock", {"vehicle_id": vehicle, "vin": "WVWZZZ1JZ3W386752",
                                       "colour_code": "W"}),
        "order_id": order,
        "promise_id": made(f"{d}/promises", {
            "kind": "we_owe", "text": "Key", "contact_id": contact, "probability": 0.5,
            "due_at": (datetime.now(UTC) + timedelta(days=9)).isoformat()}),
        "contest_id": made(f"{d}/incentives/contests", {
            "name": "Cup", "starts_on": "2026-01-01", "ends_on": "2026-12-31",
            "measure": "units"}),
    }


def test_dealership_operations_keep_the_document_s_promises(client, tenant, live_server):
    assert client.put("/api/v1/modules/dealership", headers=tenant.headers).status_code == 200
    document = client.get("/schema/openapi.json").json()
    seeds = _seed(client, tenant.headers)
    schema = schemathesis.openapi.from_dict(document, config=CONFIG).include(
        path_regex=r"^/api/v1/dealership/")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    failures: list[str] = []
    for operation in sorted(operations, key=lambda op: op.label):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, seeds, tenant.headers, live_server, failures)
    assert failures == [], "\n\n".join(failures[:10]) + f"\n\n({len(failures)} in all)"
