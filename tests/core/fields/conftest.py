"""An app with the fields routes and a plugin-fields provider tests can steer per tenant.

The provider stands in for the plugin manager: it answers the ``plugin_fields``
dependency with the definitions a test enabled for the calling tenant.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from litestar import Request
from litestar.di import Provide
from litestar.testing import TestClient

from rapport.app import create_app
from rapport.core.fields.controllers import FieldController
from rapport.core.fields.definitions import FieldDefinition
from tests.conftest import Database, TenantHandle, login, make_settings
from tests.conftest import add_member as invite_and_accept

# tenant id → the plugin field definitions visible to it (what per-tenant enablement yields)
ENABLED_PLUGIN_FIELDS: dict[str, tuple[FieldDefinition, ...]] = {}


def provide_test_plugin_fields(request: Request) -> Sequence[FieldDefinition]:
    return ENABLED_PLUGIN_FIELDS.get(str(request.user.tenant_id), ())


@pytest.fixture(scope="package")
def client(database: Database) -> Iterator[TestClient]:
    app = create_app(
        make_settings(),
        database.app_url,
        extra_dependencies={
            "plugin_fields": Provide(provide_test_plugin_fields, sync_to_thread=False)
        },
    )
    # The fields area registers its routes itself once wired in; mount them if it is not yet.
    if not any(route.path.startswith(FieldController.path) for route in app.routes):
        app.register(FieldController)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def enable_plugin_fields(tenant: TenantHandle, *definitions: FieldDefinition) -> None:
    ENABLED_PLUGIN_FIELDS[tenant.id] = tuple(definitions)


def add_member(client: TestClient, tenant: TenantHandle, role: str) -> dict[str, str]:
    """A new member of ``tenant`` with ``role``, logged in: their request headers."""
    email = f"{role}-{tenant.slug}@example.com"
    password = "pw " + email
    invite_and_accept(client, tenant, email, role=role, full_name=role.title(), password=password)
    return {"Authorization": f"Bearer {login(client, tenant.slug, email, password)}"}


def create_field(client: TestClient, tenant: TenantHandle, **body: object) -> dict:
    body.setdefault("entity", "contact")
    body.setdefault("label", str(body["key"]).replace("_", " ").title())
    r = client.post("/api/v1/fields", json=body, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return r.json()


def create_contact(client: TestClient, tenant: TenantHandle, **body: object) -> dict:
    body.setdefault("given_name", "Test")
    r = client.post("/api/v1/contacts", json=body, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return r.json()
