"""Every answer carries the security headers — JSON, problem documents, the router's own
404, a crash — and HSTS only in production. None of these requests reaches a database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar import get
from litestar.testing import TestClient

from rapport.app import create_app
from rapport.web.security_headers import CSP, HSTS
from tests.conftest import make_settings

EXPECTED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "content-security-policy": CSP,
}


@get("/test/crash", exclude_from_auth=True, include_in_schema=False)
async def crash() -> None:
    raise RuntimeError("a bug")


def _client(tmp_path, **settings: object) -> Iterator[TestClient]:
    # A socket folder where no server listens: nothing here may need the database.
    app = create_app(
        make_settings(**settings),
        f"postgresql+psycopg://nobody@/none?host={tmp_path}",
        extra_routes=[crash],
    )
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def plain(tmp_path) -> Iterator[TestClient]:
    yield from _client(tmp_path)


@pytest.fixture
def production(tmp_path) -> Iterator[TestClient]:
    yield from _client(tmp_path, env="production", base_url="https://crm.example.com")


def _assert_security_headers(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response.status_code)


def test_a_json_answer_carries_every_security_header(plain):
    r = plain.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    _assert_security_headers(r)
    assert "strict-transport-security" not in r.headers


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/me", 401),  # refused by the authentication middleware
        ("/no/such/route", 404),  # answered by the router, before any route middleware
        ("/test/crash", 500),  # an unhandled exception in a handler
    ],
)
def test_error_answers_carry_every_security_header(plain, path, status):
    r = plain.get(path)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")
    _assert_security_headers(r)


def test_hsts_only_in_production(plain, production):
    assert "strict-transport-security" not in plain.get("/healthz").headers
    for path in ("/healthz", "/no/such/route", "/api/v1/me"):
        r = production.get(path)
        assert r.headers["strict-transport-security"] == HSTS
        _assert_security_headers(r)


def test_docs_pages_and_the_document_get_the_strict_policy(plain):
    # The docs assets ship with the package (tests/test_api_docs.py): no exception for /schema.
    for path in ("/schema", "/schema/swagger", "/schema/openapi.json", "/schema/openapi.yaml"):
        answer = plain.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-security-policy"] == CSP, path
        assert answer.headers["x-frame-options"] == "DENY"
