"""Custom fields on deals: definitions target entity ``deal``; deals carry, validate, filter
and sort by them with the contact list's ``filter=field:op:value`` grammar."""

from __future__ import annotations

import pytest

from tests.conftest import sign_up

D = "/api/v1/deals"


@pytest.fixture(scope="module")
def shop(client):
    """A tenant with deal fields (one indexed single choice, a number, a required-later
    text) and four deals."""
    t = sign_up(client)
    for body in (
        {"key": "region", "entity": "deal", "type": "enum", "label": "Region",
         "options": ["north", "south"], "indexed": True},
        {"key": "seats", "entity": "deal", "type": "integer", "label": "Seats"},
        {"key": "source", "entity": "deal", "type": "text", "label": "Source"},
    ):
        r = client.post("/api/v1/fields", json=body, headers=t.headers)
        assert r.status_code == 201, r.text
    deals = {}
    for title, fields in (
        ("North 10", {"custom.region": "north", "custom.seats": 10}),
        ("South 5", {"custom.region": "south", "custom.seats": 5}),
        ("North 30", {"custom.region": "north", "custom.seats": 30}),
        ("Bare", {}),
    ):
        r = client.post(D, json={"title": title, "fields": fields}, headers=t.headers)
        assert r.status_code == 201, r.text
        assert r.json()["fields"] == fields
        deals[title] = r.json()
    return t, deals


def _titles(client, t, query: str) -> list[str]:
    r = client.get(f"{D}?{query}", headers=t.headers)
    assert r.status_code == 200, r.text
    return [d["title"] for d in r.json()["items"]]


def test_fields_are_listed_for_deals_only(client, shop):
    t, _ = shop
    deal_fields = client.get("/api/v1/fields?entity=deal", headers=t.headers).json()["items"]
    assert {f["full_key"] for f in deal_fields} == {"custom.region", "custom.seats",
                                                    "custom.source"}
    contact_fields = client.get("/api/v1/fields?entity=contact", headers=t.headers).json()
    assert not any(f["full_key"] == "custom.region" for f in contact_fields["items"])


def test_values_are_checked_and_patched(client, shop):
    t, deals = shop
    deal = deals["Bare"]
    r = client.post(D, json={"title": "X", "fields": {"custom.region": "west"}},
                    headers=t.headers)
    assert r.status_code == 422 and "fields.custom.region" in r.text
    r = client.post(D, json={"title": "X", "fields": {"custom.nope": 1}}, headers=t.headers)
    assert r.status_code == 422 and "fields.custom.nope" in r.text
    r = client.patch(f"{D}/{deal['id']}", json={"fields": {"custom.source": "Fair"}},
                     headers=t.headers)
    assert r.status_code == 200 and r.json()["fields"] == {"custom.source": "Fair"}
    r = client.patch(f"{D}/{deal['id']}", json={"title": "Bare"}, headers=t.headers)
    assert r.json()["fields"] == {"custom.source": "Fair"}  # untouched when not sent
    r = client.patch(f"{D}/{deal['id']}", json={"fields": {"custom.source": None}},
                     headers=t.headers)
    assert r.json()["fields"] == {}
    got = client.get(f"{D}/{deal['id']}", headers=t.headers).json()
    assert got["fields"] == {}
    # A contact's field is not a deal's.
    r = client.post("/api/v1/fields", headers=t.headers, json={
        "key": "shoe", "entity": "contact", "type": "integer", "label": "Shoe"})
    assert r.status_code == 201
    r = client.patch(f"{D}/{deal['id']}", json={"fields": {"custom.shoe": 40}},
                     headers=t.headers)
    assert r.status_code == 422


def test_required_deal_field(client):
    t = sign_up(client)
    r = client.post("/api/v1/fields", headers=t.headers, json={
        "key": "ref", "entity": "deal", "type": "text", "label": "Ref", "required": True})
    assert r.status_code == 201, r.text
    r = client.post(D, json={"title": "No ref"}, headers=t.headers)
    assert r.status_code == 422 and "fields.custom.ref" in r.text
    r = client.post(D, json={"title": "Ref", "fields": {"custom.ref": "A-1"}}, headers=t.headers)
    assert r.status_code == 201
    r = client.patch(f"{D}/{r.json()['id']}", json={"fields": {"custom.ref": None}},
                     headers=t.headers)
    assert r.status_code == 422


def test_filter_and_sort_by_custom_fields(client, shop):
    t, _ = shop
    assert _titles(client, t, "filter=custom.region:eq:north") == ["North 30", "North 10"]
    assert _titles(client, t, "filter=custom.region:is_empty:true") == ["Bare"]
    assert _titles(client, t, "filter=custom.seats:gte:10") == ["North 30", "North 10"]
    assert _titles(client, t, "filter=custom.region:eq:north&filter=custom.seats:lt:20") == [
        "North 10"]
    assert _titles(client, t, "sort=custom.seats") == ["South 5", "North 10", "North 30", "Bare"]
    assert _titles(client, t, "sort=-title") == ["South 5", "North 30", "North 10", "Bare"]
    # Keyset pages of a sorted list.
    r = client.get(f"{D}?sort=custom.seats&limit=2", headers=t.headers).json()
    assert [d["title"] for d in r["items"]] == ["South 5", "North 10"]
    r2 = client.get(f"{D}?sort=custom.seats&limit=2&cursor={r['next_cursor']}",
                    headers=t.headers).json()
    assert [d["title"] for d in r2["items"]] == ["North 30", "Bare"]
    # Bad input names the parameter.
    for query in ("filter=custom.region:eq:west", "filter=custom.nope:eq:1",
                  "filter=custom.seats:zz:1", "sort=custom.nope"):
        r = client.get(f"{D}?{query}", headers=t.headers)
        assert r.status_code == 400, (query, r.text)
        assert r.json()["errors"][0]["field"] in ("filter", "sort")


def test_indexed_deal_field_values_are_mirrored(client, shop, database):
    t, deals = shop
    with database.connect_superuser() as conn:
        rows = conn.execute(
            "SELECT record_id::text, text_value FROM field_values"
            " WHERE tenant_id = %s AND entity = 'deal' AND full_key = 'custom.region'",
            (t.id,),
        ).fetchall()
    assert {(r[0], r[1]) for r in rows} >= {(deals["North 10"]["id"], "north"),
                                            (deals["South 5"]["id"], "south")}
