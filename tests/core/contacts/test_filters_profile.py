"""Filters and sorts over the profile's core values: tags, language, owner, source,
birthday, external id, organization — same ``field:op:value`` syntax as custom fields."""

from __future__ import annotations

import uuid

import pytest

from rapport.core.contacts.listing import list_statement
from tests.conftest import sign_up
from tests.core.contacts.support import CONTACTS, compiled, explain, make, user_id


@pytest.fixture(scope="module")
def crowd(client):
    t = sign_up(client)
    me = user_id(client, t)
    org = client.post("/api/v1/organizations", json={"name": "Hub"}, headers=t.headers).json()
    people = {
        "Ada": make(client, t, given_name="Ada", tags=["vip", "gold"], language="en",
                    birthday="1980-05-01", owner_id=me, source="web", external_id="e-1"),
        "Bo": make(client, t, given_name="Bo", tags=["vip"], language="uk",
                   birthday="1995-01-31", source="fair"),
        "Cy": make(client, t, given_name="Cy", language="uk-UA"),
    }
    client.post(f"{CONTACTS}/{people['Bo']['id']}/organizations",
                json={"organization_id": org["id"]}, headers=t.headers)
    return t, me, org["id"]


def _given(client, t, *filters, sort=None):
    params = [("filter", f) for f in filters] + ([("sort", sort)] if sort else [])
    r = client.get(CONTACTS, params=params, headers=t.headers)
    assert r.status_code == 200, r.text
    names = [c["given_name"] for c in r.json()["items"]]
    return names if sort else sorted(names)


def test_filters_on_profile_values(client, crowd):
    t, me, org = crowd
    assert _given(client, t, "tags:eq:vip") == ["Ada", "Bo"]
    assert _given(client, t, "tags:contains:vip,gold") == ["Ada"]
    assert _given(client, t, "tags:in:gold,silver") == ["Ada"]
    assert _given(client, t, "tags:ne:gold") == ["Bo", "Cy"]
    assert _given(client, t, "tags:is_empty") == ["Cy"]
    assert _given(client, t, "tags:is_empty:false") == ["Ada", "Bo"]
    assert _given(client, t, "language:eq:uk") == ["Bo"]
    assert _given(client, t, "language:in:uk,uk-UA") == ["Bo", "Cy"]
    assert _given(client, t, f"owner_id:eq:{me}") == ["Ada"]
    assert _given(client, t, "owner_id:is_empty") == ["Bo", "Cy"]
    assert _given(client, t, "source:eq:fair") == ["Bo"]
    assert _given(client, t, "birthday:lt:1990-01-01") == ["Ada"]
    assert _given(client, t, "external_id:eq:e-1") == ["Ada"]
    assert _given(client, t, f"organization:eq:{org}") == ["Bo"]
    assert _given(client, t, "organization:is_empty") == ["Ada", "Cy"]


def test_sorts_on_profile_values(client, crowd):
    t, _, _ = crowd
    assert _given(client, t, sort="birthday") == ["Ada", "Bo", "Cy"]
    assert _given(client, t, sort="-display_name") == ["Cy", "Bo", "Ada"]


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        ("hair:eq:red", "hair"),
        ("tags:lt:vip", "lt"),
        ("tags:like:vip", "like"),
        ("birthday:eq:yesterday", "birthday"),
        ("owner_id:eq:someone", "owner_id"),
        ("organization:eq:acme", "organization"),
    ],
)
def test_bad_filters_are_400_naming_them(client, crowd, raw, named):
    t, _, _ = crowd
    r = client.get(CONTACTS, params={"filter": raw}, headers=t.headers)
    assert r.status_code == 400 and named in r.json()["detail"], r.text


def test_tags_cannot_be_sorted(client, crowd):
    t, _, _ = crowd
    assert client.get(f"{CONTACTS}?sort=tags", headers=t.headers).status_code == 400


def test_tag_filter_is_an_index_condition_for_the_app_role(client, database):
    t = sign_up(client)
    with database.connect_owner() as conn, conn.transaction():
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (t.id,))
        conn.execute("INSERT INTO contacts (tenant_id, id, given_name) SELECT %s, "
                     "gen_random_uuid(), 'P' || g FROM generate_series(1, 20000) g", (t.id,))
        conn.execute("INSERT INTO contact_tags (tenant_id, id, contact_id, tag) SELECT tenant_id, "
                     "gen_random_uuid(), id, CASE WHEN given_name IN ('P1', 'P2') THEN 'rare' "
                     "ELSE 'common' END FROM contacts WHERE tenant_id = %s", (t.id,))
    with database.connect_owner() as conn:
        conn.execute("ANALYZE contacts")
        conn.execute("ANALYZE contact_tags")
    assert _given(client, t, "tags:eq:rare") == ["P1", "P2"]
    query, _ = list_statement(uuid.UUID(t.id), [], filters=["tags:eq:rare"])
    sql, params = compiled(query)
    plan = explain(database, t.id, sql, params)
    assert "ix_contact_tags_tenant_id_tag_contact_id" in plan, plan
    assert any("Index Cond" in line and "tag" in line for line in plan.splitlines()), plan
