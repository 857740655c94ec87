"""Field definitions and contact settings are kept in memory per process and checked
against ``tenants.config_version``: a change made through one process shows at once in
another (two apps on one database stand in for two ``rapport run`` workers), and a
refused change never shows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from rapport.app import create_app
from tests.conftest import make_settings

CONTACTS = "/api/v1/contacts"


@pytest.fixture(scope="module")
def second(database: Any) -> Iterator[TestClient[Any]]:
    app = create_app(make_settings(), database.app_url)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _contact(client: TestClient[Any], tenant: Any) -> str:
    r = client.post(CONTACTS, json={"given_name": "Taras", "patronymic": "Hryhorovych",
                                    "family_name": "Shevchenko"}, headers=tenant.headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_a_field_added_in_one_process_is_seen_by_another(client, second, tenant):
    contact_id = _contact(client, tenant)
    page = client.get(f"{CONTACTS}/{contact_id}", headers=tenant.headers)
    assert page.json()["fields"] == {}  # this process now holds the tenant's definitions

    r = second.post("/api/v1/fields", json={"key": "shoe_size", "entity": "contact",
                                            "type": "integer", "label": "Shoe size"},
                    headers=tenant.headers)
    assert r.status_code == 201, r.text
    r = client.patch(f"{CONTACTS}/{contact_id}", json={"fields": {"custom.shoe_size": 42}},
                     headers=tenant.headers)
    assert r.status_code == 200, r.text
    assert client.get(f"{CONTACTS}/{contact_id}",
                      headers=tenant.headers).json()["fields"] == {"custom.shoe_size": 42}

    assert second.delete("/api/v1/fields/shoe_size?entity=contact",
                         headers=tenant.headers).status_code == 204
    assert client.get(f"{CONTACTS}/{contact_id}",
                      headers=tenant.headers).json()["fields"] == {}


def test_contact_settings_changed_in_one_process_are_seen_by_another(client, second, tenant):
    contact_id = _contact(client, tenant)
    assert client.get(f"{CONTACTS}/{contact_id}",
                      headers=tenant.headers).json()["salutation"] == "Taras Shevchenko"
    r = second.put(f"{CONTACTS}/settings", json={"default_locale": "uk"},
                   headers=tenant.headers)
    assert r.status_code == 200, r.text
    assert client.get(f"{CONTACTS}/{contact_id}",
                      headers=tenant.headers).json()["salutation"] == "Taras Hryhorovych"


def test_another_tenants_change_leaves_this_tenants_copy_alone(client, tenant, other_tenant):
    contact_id = _contact(client, tenant)
    client.put(f"{CONTACTS}/settings", json={"default_locale": "uk"}, headers=tenant.headers)
    client.put(f"{CONTACTS}/settings", json={"default_locale": "en"},
               headers=other_tenant.headers)
    assert client.get(f"{CONTACTS}/{contact_id}",
                      headers=tenant.headers).json()["salutation"] == "Taras Hryhorovych"


def test_a_refused_field_never_reaches_the_cache(client, tenant):
    contact_id = _contact(client, tenant)
    client.get(f"{CONTACTS}/{contact_id}", headers=tenant.headers)
    # Refused (a label too long): nothing of it may be served afterwards.
    r = client.post("/api/v1/fields", json={"key": "ghost", "entity": "contact",
                                            "type": "text", "label": "x" * 500},
                    headers=tenant.headers)
    assert r.status_code == 422
    fields = client.get("/api/v1/fields?entity=contact", headers=tenant.headers).json()
    assert all(f["key"] != "ghost" for f in fields["items"])
