"""Sharing fixtures: the grant-aware test tables and an app with the sharing doors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from tests.conftest import Database, TenantHandle, sign_up
from tests.core.sharing.support import SharedNotesRoute, shared_tables, sharing_app


@pytest.fixture(scope="package")
def shared_schema(database: Database) -> Iterator[None]:
    with shared_tables(database):
        yield


@pytest.fixture(scope="package")
def sharing_client(database: Database, shared_schema: None) -> Iterator[TestClient]:
    app = sharing_app(database, [SharedNotesRoute])
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def clinic(sharing_client: TestClient) -> TenantHandle:
    return sign_up(sharing_client)


@pytest.fixture
def partner(sharing_client: TestClient) -> TenantHandle:
    return sign_up(sharing_client)


@pytest.fixture
def stranger(sharing_client: TestClient) -> TenantHandle:
    return sign_up(sharing_client)
