"""An app with the audit door mounted (until the kernel mounts it itself)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from tests.conftest import Database, TenantHandle, sign_up
from tests.core.sharing.support import sharing_app


@pytest.fixture(scope="package")
def audit_client(database: Database) -> Iterator[TestClient]:
    with TestClient(sharing_app(database), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def org(audit_client: TestClient) -> TenantHandle:
    return sign_up(audit_client)


@pytest.fixture
def other_org(audit_client: TestClient) -> TenantHandle:
    return sign_up(audit_client)
