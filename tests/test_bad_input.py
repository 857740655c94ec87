"""Bad input gets a clear 4xx problem document, and leaves nothing half-written."""

import json

import pytest


def test_malformed_json_is_400(client, tenant):
    r = client.post(
        "/api/v1/contacts",
        content=b'{"given_name": ',
        headers={**tenant.headers, "content-type": "application/json"},
    )
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["title"] == "Malformed JSON"


def test_schema_violations_are_422_naming_each_field(client):
    r = client.post(
        "/api/v1/signup",
        json={
            "organization": {"name": 5, "slug": "ok-slug"},
            "admin": {"email": "a@b.co", "password": "x" * 12, "full_name": "A"},
        },
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "organization.name"
    r = client.post(
        "/api/v1/signup",
        json={
            "organization": {"name": " ", "slug": "X!"},
            "admin": {"email": "nope", "password": "short", "full_name": " "},
        },
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {
        "organization.slug",
        "organization.name",
        "admin.email",
        "admin.password",
        "admin.full_name",
    }


def test_oversized_body_is_413(client, tenant):
    big = json.dumps({"given_name": "x" * (2 * 1024 * 1024)})
    r = client.post(
        "/api/v1/contacts",
        content=big,
        headers={**tenant.headers, "content-type": "application/json"},
    )
    assert r.status_code == 413


def test_unknown_ids_and_routes_are_404(client, tenant):
    missing = "00000000-0000-7000-8000-000000000000"
    assert client.get(f"/api/v1/contacts/{missing}", headers=tenant.headers).status_code == 404
    assert client.get("/api/v1/nothing-here", headers=tenant.headers).status_code == 404


def test_errors_never_carry_a_stack_trace(client, tenant):
    r = client.post(
        "/api/v1/contacts",
        content=b"\xff\xfe",
        headers={**tenant.headers, "content-type": "application/json"},
    )
    assert 400 <= r.status_code < 500
    assert "Traceback" not in r.text and 'File "' not in r.text


@pytest.mark.parametrize("method", ["post", "put", "patch"])
def test_wrong_method_is_405_problem(client, tenant, method):
    r = getattr(client, method)("/api/v1/me", json={}, headers=tenant.headers)
    assert r.status_code == 405
    assert r.json()["status"] == 405


def test_a_failing_request_writes_nothing(client, database, tenant):
    """Sign-up that fails after the tenant row was written (duplicate admin claim) rolls back."""
    r = client.post(
        "/api/v1/signup",
        json={
            "organization": {"name": "Half", "slug": tenant.slug + "-half"},
            "admin": {
                "email": tenant.owner_email,
                "password": "wrong but long password",
                "full_name": "Thief",
            },
        },
    )
    assert r.status_code == 409
    with database.connect_superuser() as conn:
        count = conn.execute(
            "SELECT count(*) FROM tenants WHERE slug = %s", (tenant.slug + "-half",)
        ).fetchone()[0]
    assert count == 0


def test_a_missing_required_field_is_named(client):
    r = client.post("/api/v1/signup", json={"organization": {"slug": "abc-def"},
                                            "admin": {"email": "a@b.co", "password": "x" * 12,
                                                      "full_name": "A"}})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "organization.name"
    r = client.post("/api/v1/auth/login", json={"email": "a@b.co", "password": "x"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "tenant"
