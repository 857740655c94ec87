"""A deprecated operation says so on every answer (Deprecation, RFC 9745; Sunset, RFC 8594)
and in the document (deprecated: true); other operations carry neither header."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from litestar import get
from litestar.testing import TestClient

from rapport.app import create_app
from rapport.web.deprecation import deprecated
from tests.conftest import make_settings


@get(
    "/api/v1/test/old-report",
    exclude_from_auth=True,
    **deprecated(since=date(2027, 1, 1), sunset=date(2027, 7, 1)),
)
async def old_report() -> dict[str, str]:
    return {"report": "old"}


@pytest.fixture
def app_client(tmp_path) -> Iterator[TestClient]:
    # Nothing here needs the database: a socket folder where no server listens.
    app = create_app(
        make_settings(),
        f"postgresql+psycopg://nobody@/none?host={tmp_path}",
        extra_routes=[old_report],
    )
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_a_deprecated_operation_announces_its_deprecation_and_sunset(app_client):
    r = app_client.get("/api/v1/test/old-report")
    assert r.status_code == 200 and r.json() == {"report": "old"}
    assert r.headers["deprecation"] == "@1798761600"  # 2027-01-01T00:00:00Z
    assert r.headers["sunset"] == "Thu, 01 Jul 2027 00:00:00 GMT"
    head = app_client.head("/api/v1/test/old-report")
    assert head.headers["sunset"] == r.headers["sunset"]
    document = app_client.get("/schema/openapi.json").json()
    assert document["paths"]["/api/v1/test/old-report"]["get"]["deprecated"] is True


def test_other_operations_carry_no_announcement(app_client):
    r = app_client.get("/healthz")
    assert "deprecation" not in r.headers and "sunset" not in r.headers


def test_a_sunset_before_the_deprecation_is_refused():
    with pytest.raises(ValueError, match="sunset"):
        deprecated(since=date(2027, 7, 1), sunset=date(2027, 1, 1))
