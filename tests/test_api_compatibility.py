"""Within /api/v1 only additions: the live document keeps every promise of the committed
snapshot (tests/openapi_snapshot.json) unless the snapshot announced a deprecation.
Regenerate the snapshot only for a reviewed change: ``make openapi-snapshot``."""

from __future__ import annotations

import copy
import json

import pytest

from tests.openapi_compat import SNAPSHOT, breaking_changes


def test_the_live_document_keeps_every_promise_of_the_snapshot(client):
    snapshot = json.loads(SNAPSHOT.read_text())
    live = client.get("/schema/openapi.json").json()
    assert breaking_changes(snapshot, live) == [], (
        "a change breaks /api/v1 clients: deprecate first (docs/api.md, Versioning); "
        "for a deliberate, reviewed change run `make openapi-snapshot`"
    )


# ----------------------------------------------------------- the check on small documents

BASE = {
    "paths": {
        "/api/v1/contacts/{contact_id}": {
            "get": {
                "responses": {
                    "200": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/C"}}
                        }
                    },
                    "404": {"content": {"application/problem+json": {"schema": {}}}},
                }
            },
            "patch": {
                "requestBody": {
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"email": {"type": "string"}},
                            }
                        }
                    }
                },
                "responses": {"200": {"description": "ok"}},
            },
        },
        "/api/v1/old": {"get": {"deprecated": True, "responses": {"200": {}}}},
    },
    "components": {
        "schemas": {
            "C": {
                "type": "object",
                "required": ["id"],
                "properties": {
                    "id": {"type": "string"},
                    "emails": {"type": "array", "items": {"$ref": "#/components/schemas/E"}},
                    "legacy": {"type": "string", "deprecated": True},
                },
            },
            "E": {"type": "object", "properties": {"address": {"type": "string"}}},
        }
    },
}


def _changed(edit) -> list[str]:
    new = copy.deepcopy(BASE)
    edit(new)
    return breaking_changes(BASE, new)


def test_an_identical_document_breaks_nothing():
    assert breaking_changes(BASE, copy.deepcopy(BASE)) == []


def test_additions_break_nothing():
    def add(d):
        d["paths"]["/api/v1/contacts/{contact_id}"]["delete"] = {"responses": {"204": {}}}
        d["components"]["schemas"]["C"]["properties"]["phone"] = {"type": "string"}
        d["paths"]["/api/v1/contacts/{contact_id}"]["get"]["responses"]["409"] = {}
        del d["paths"]["/api/v1/contacts/{contact_id}"]["get"]["responses"]["404"]
        patch = d["paths"]["/api/v1/contacts/{contact_id}"]["patch"]
        patch["requestBody"]["content"]["application/json"]["schema"]["properties"]["note"] = {
            "type": "object",
            "required": ["text"],  # inside a new optional field: old clients never send it
            "properties": {"text": {"type": "string"}},
        }

    assert _changed(add) == []


def test_renaming_a_path_parameter_breaks_nothing():
    def rename(d):
        d["paths"]["/api/v1/contacts/{id}"] = d["paths"].pop("/api/v1/contacts/{contact_id}")

    assert _changed(rename) == []


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda d: d["paths"]["/api/v1/contacts/{contact_id}"].pop("get"),
            "GET /api/v1/contacts/{}: the operation is gone without a deprecation",
        ),
        (
            lambda d: d["components"]["schemas"]["E"]["properties"].pop("address"),
            "GET /api/v1/contacts/{}: response field 'emails.[].address' (200) is gone",
        ),
        (
            lambda d: d["paths"]["/api/v1/contacts/{contact_id}"]["get"]["responses"].update(
                {"200": {"content": {"text/csv": {}}}}
            ),
            "GET /api/v1/contacts/{}: the 200 answer no longer comes as application/json",
        ),
        (
            lambda d: d["paths"]["/api/v1/contacts/{contact_id}"]["patch"]["requestBody"][
                "content"
            ]["application/json"]["schema"].update(required=["email"]),
            "PATCH /api/v1/contacts/{}: request field 'email' is now required",
        ),
        (
            lambda d: d["paths"]["/api/v1/contacts/{contact_id}"]["patch"]["requestBody"][
                "content"
            ]["application/json"]["schema"].update(properties={}),
            "PATCH /api/v1/contacts/{}: request field 'email' is no longer accepted",
        ),
        (
            lambda d: d["paths"]["/api/v1/contacts/{contact_id}"]["get"].update(
                parameters=[{"in": "query", "name": "view", "required": True}]
            ),
            "GET /api/v1/contacts/{}: parameter 'view' (query) is now required",
        ),
    ],
    ids=["operation", "nested-field", "media-type", "required", "request-field", "parameter"],
)
def test_a_removal_or_a_new_demand_is_reported(edit, expected):
    assert _changed(edit) == [expected]


def test_what_was_deprecated_may_go():
    def remove(d):
        del d["paths"]["/api/v1/old"]
        del d["components"]["schemas"]["C"]["properties"]["legacy"]

    assert _changed(remove) == []
