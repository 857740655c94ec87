"""Bad input gets a clear 4xx problem document, and leaves nothing half-written."""

import base64
import json
import socket

import pytest
from litestar.testing import TestClient

from rapport.app import create_app
from tests.conftest import make_settings, unique


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


def test_a_failing_request_writes_nothing(database):
    """A request that fails after its first write (a tenant row, then a refusal) rolls back:
    one transaction per request."""
    from litestar import post
    from litestar.di import NamedDependency
    from sqlalchemy.ext.asyncio import AsyncSession

    from rapport.errors import conflict
    from rapport.tenancy.signup import create_tenant

    slug = unique("half")

    @post("/test/half-written", opt={"exclude_from_auth": True}, status_code=201)
    async def half_written(public_db: NamedDependency[AsyncSession]) -> None:
        await create_tenant(public_db, name="Half", slug=slug)
        raise conflict("refused after the first write")

    app = create_app(make_settings(), database.app_url, extra_routes=[half_written])
    with TestClient(app, raise_server_exceptions=False) as c:
        assert c.post("/test/half-written").status_code == 409
    with database.connect_superuser() as conn:
        count = conn.execute("SELECT count(*) FROM tenants WHERE slug = %s", (slug,)).fetchone()[0]
    assert count == 0


def test_a_missing_required_field_is_named(client):
    r = client.post("/api/v1/signup", json={"organization": {"slug": "abc-def"},
                                            "admin": {"email": "a@b.co", "password": "x" * 12,
                                                      "full_name": "A"}})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "organization.name"
    r = client.post("/api/v1/auth/login", json={"email": "a@b.co", "password": "x"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "tenant"


# --------------------------------------------------------------- nesting, outages

DEEP = b"[" * 1000 + b"]" * 1000


def _nested(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


@pytest.mark.parametrize("body", [DEEP, _nested(1000)], ids=["arrays", "objects"])
def test_json_nested_1000_deep_on_public_signup_is_400(client, body):
    r = client.post(
        "/api/v1/signup", content=body, headers={"content-type": "application/json"}
    )
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["title"] == "JSON nested too deeply"
    assert "64 levels" in problem["detail"]
    assert problem["errors"][0]["field"] == "body"


def test_json_nested_1000_deep_in_a_field_of_an_authenticated_request_is_400(client, tenant):
    body = b'{"given_name": "Ann", "email": "ann@example.com", "fields": {"x": ' + DEEP + b"}}"
    r = client.post(
        "/api/v1/contacts",
        content=body,
        headers={**tenant.headers, "content-type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["title"] == "JSON nested too deeply"


def test_json_nested_past_the_limit_but_short_of_recursion_is_400(client, tenant):
    # 100 levels decode fine, then would be stored and echoed; the limit refuses them.
    r = client.put(
        "/api/v1/contacts/settings",
        content=_nested(100),
        headers={**tenant.headers, "content-type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "body"


def test_json_nested_within_the_limit_is_judged_by_the_schema(client):
    # Brackets inside strings are text, not nesting.
    body = json.dumps({"organization": {"name": "[" * 500, "slug": "x"}, "admin": [[[1]]]})
    r = client.post(
        "/api/v1/signup", content=body, headers={"content-type": "application/json"}
    )
    assert r.status_code == 422, r.text


def _unreachable_database_app():
    # A TCP port nothing listens on: the connection is refused at once.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"postgresql+psycopg://rapport_app:x@127.0.0.1:{port}/rapport"
    return TestClient(create_app(make_settings(), url), raise_server_exceptions=False)


def test_database_outage_is_503_with_retry_after_for_public_and_authenticated_requests(
    tenant, capsys
):
    signup = {
        "organization": {"name": "Down", "slug": "down-org"},
        "admin": {"email": "a@down.example.com", "password": "a long password 1",
                  "full_name": "A"},
    }
    with _unreachable_database_app() as down:
        capsys.readouterr()
        answers = [
            down.post("/api/v1/signup", json=signup),  # the handler's transaction
            down.get("/api/v1/me", headers=tenant.headers),  # the auth middleware's lookup
            down.get("/api/v1/contacts", headers=tenant.headers),
        ]
        logged = capsys.readouterr().err
    for r in answers:
        assert r.status_code == 503, r.text
        assert r.headers["retry-after"] == "5"
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["title"] == "Service unavailable"
        assert "Traceback" not in r.text and "psycopg" not in r.text
    records = [json.loads(line) for line in logged.splitlines() if line.startswith("{")]
    assert [r["status"] for r in records if r.get("event") == "request"] == [503] * 3
    assert not [r for r in records if r.get("level") in ("error", "critical")]
    assert "Traceback" not in logged


def test_cursor_nested_1000_deep_is_400_naming_cursor(client, tenant):
    # A sorted list's cursor carries the sort value, decoded as any JSON.
    raw = b'["given_name",' + DEEP + b',"00000000-0000-7000-8000-000000000000"]'
    cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    r = client.get(
        "/api/v1/contacts",
        params={"sort": "given_name", "cursor": cursor},
        headers=tenant.headers,
    )
    assert r.status_code == 400, r.text
    assert "cursor" in r.json()["detail"]


# ---------------------------------------------------------- strict body types

def test_a_body_is_held_to_its_documented_types(client, tenant):
    """A number is not a date-time and "5" is not an integer, as the document says.

    Litestar's own conversion is lax (a number read as a Unix time); the body is checked
    strictly first, so such a request is a 422 naming the field and writes nothing.
    """
    who = client.post("/api/v1/contacts", json={"given_name": "Strict"},
                      headers=tenant.headers).json()["id"]
    consent = {"channel": "email", "topic": "offers", "status": "opt_in", "source": "form"}
    r = client.post(f"/api/v1/contacts/{who}/consent", json={**consent, "occurred_at": 5},
                    headers=tenant.headers)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "occurred_at"
    history = client.get(f"/api/v1/contacts/{who}/consent", headers=tenant.headers)
    assert history.status_code == 200 and "offers" not in history.text
    r = client.put(f"/api/v1/contacts/{who}/contact-policy",
                   json={"do_not_contact": False, "frequency_cap": {"max": "2", "per_days": 7}},
                   headers=tenant.headers)
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "frequency_cap.max"
    ok = {**consent, "occurred_at": "2024-01-01T00:00:00Z"}
    r = client.post(f"/api/v1/contacts/{who}/consent", json=ok, headers=tenant.headers)
    assert r.status_code == 201, r.text


def test_a_number_is_not_a_date_time_in_the_query_either(client, tenant):
    """Litestar would read ``until=5`` as a Unix time; the document promises RFC 3339."""
    for value in ("5", "-2.225073858507e-311", "1e3", "nan"):
        r = client.get("/api/v1/reports/activity", params={"until": value},
                       headers=tenant.headers)
        assert r.status_code == 422, (value, r.text)
        assert r.json()["errors"][0]["field"] == "until"
    r = client.get("/api/v1/reports/activity", params={"until": "2026-01-31T09:00:00Z"},
                   headers=tenant.headers)
    assert r.status_code == 200, r.text
