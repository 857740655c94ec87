"""Probes and the OpenAPI document."""

import pytest
from litestar.testing import TestClient

from rapport.app import create_app
from rapport.settings import Settings, SettingsError
from tests.conftest import make_settings


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    r = client.get("/readyz")
    assert r.status_code == 200 and r.json() == {"status": "ready"}


def test_readyz_is_503_when_migrations_are_behind(database):
    app = create_app(make_settings(), database.app_url)
    app.state.expected_heads = {"a_future_migration"}
    with TestClient(app) as c:
        r = c.get("/readyz")
    assert r.status_code == 503 and r.json()["status"] == "migrations pending"


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(make_settings(), f"postgresql+psycopg://nobody@/none?host={tmp_path}")
    with TestClient(app) as c:
        assert c.get("/healthz").status_code == 200
        assert c.get("/readyz").status_code == 503


def test_openapi_document_is_served(client):
    spec = client.get("/schema/openapi.json").json()
    assert "/api/v1/contacts" in spec["paths"] and "/api/v1/signup" in spec["paths"]
    assert client.get("/schema").status_code == 200


def test_production_refuses_a_default_or_short_secret():
    with pytest.raises(SettingsError):
        Settings(env="production").check()
    with pytest.raises(SettingsError):
        Settings(env="production", secret_key="short").check()
    Settings(env="production", secret_key="s" * 48).check()


def test_responses_carry_a_request_id(client):
    r = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    assert len(client.get("/healthz").headers["x-request-id"]) == 32


def test_access_log_records_the_status_sent(client, capsys):
    client.get("/api/v1/me")
    lines = [line for line in capsys.readouterr().err.splitlines() if '"path": "/api/v1/me"' in line]
    assert lines and '"status": 401' in lines[-1]
