"""Filters and sorts over the profile's core values: tags, language, owner, source,
birthday, external id, organization — same ``field:op:value`` syntax as custom fields."""

from __future__ import annotations

import pytest

from tests.conftest import sign_up
from tests.core.contacts.support import CONTACTS, make, user_id


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
