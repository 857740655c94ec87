"""Segments over real HTTP and PostgreSQL: field filters, purchases and interactions nested
with and/or/not; the contacts page and its count; bad definitions; roles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import TenantHandle, member_token, sign_up, unique

SEGMENTS = "/api/v1/segments"


def _contact(client, t: TenantHandle, name: str, **extra) -> str:
    r = client.post("/api/v1/contacts", json={"given_name": name, **extra}, headers=t.headers,
                    params={"allow_duplicate": "true"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _purchase(client, t: TenantHandle, contact: str, amount: str, days_ago: int,
              product: str = "Tea") -> None:
    when = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    r = client.post("/api/v1/transactions", headers=t.headers, json={
        "currency": "EUR", "occurred_at": when, "channel": "store", "contact_id": contact,
        "lines": [{"product": product, "quantity": "1", "unit_price": amount}],
    })
    assert r.status_code == 201, r.text


def _interaction(client, t: TenantHandle, contact: str, kind: str, channel: str,
                 days_ago: int) -> None:
    when = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    r = client.post("/api/v1/interactions", headers=t.headers, json={
        "contact_id": contact, "kind": kind, "channel": channel, "occurred_at": when,
    })
    assert r.status_code == 201, r.text


@pytest.fixture(scope="module")
def shop(client) -> tuple[TenantHandle, dict[str, str]]:
    """Ann: big recent spender, VIP, shoe size 40; Bob: one old small purchase, called last
    week; Cid: nothing but a tag; Dee: trashed, though she bought a lot."""
    t = sign_up(client)
    r = client.post("/api/v1/fields", headers=t.headers, json={
        "key": "shoe_size", "entity": "contact", "type": "integer", "label": "Shoe size"})
    assert r.status_code == 201, r.text
    people = {
        "ann": _contact(client, t, "Ann", tags=["vip"], fields={"custom.shoe_size": 40}),
        "bob": _contact(client, t, "Bob", fields={"custom.shoe_size": 44}),
        "cid": _contact(client, t, "Cid", tags=["lead"]),
        "dee": _contact(client, t, "Dee", tags=["vip"]),
    }
    for days in (1, 5, 20):
        _purchase(client, t, people["ann"], "100.00", days, product="Coffee")
    _purchase(client, t, people["bob"], "5.00", 200)
    _purchase(client, t, people["dee"], "900.00", 2)
    _interaction(client, t, people["bob"], "call", "phone", 7)
    _interaction(client, t, people["cid"], "email", "email", 400)
    assert client.delete(f"/api/v1/contacts/{people['dee']}", headers=t.headers).status_code \
        == 204
    return t, people


def _members(client, t: TenantHandle, definition: dict) -> list[str]:
    r = client.post(SEGMENTS, headers=t.headers,
                    json={"name": unique("segment"), "definition": definition})
    assert r.status_code == 201, r.text
    segment = r.json()
    page = client.get(f"{SEGMENTS}/{segment['id']}/contacts", headers=t.headers,
                      params={"count": "true"})
    assert page.status_code == 200, page.text
    body = page.json()
    names = sorted(c["given_name"] for c in body["items"])
    assert body["count"] == len(names)
    counted = client.get(f"{SEGMENTS}/{segment['id']}", headers=t.headers).json()["count"]
    draft = client.post(f"{SEGMENTS}/count", headers=t.headers,
                        json={"definition": definition}).json()["count"]
    assert counted == draft == len(names)
    return names


@pytest.mark.parametrize(("definition", "expected"), [
    ({"filter": "tags:eq:vip"}, ["Ann"]),
    ({"filter": "custom.shoe_size:gte:42"}, ["Bob"]),
    ({"purchases": {"within_days": 30, "min_count": 3}}, ["Ann"]),
    ({"purchases": {"min_sum": "250", "currency": "EUR"}}, ["Ann"]),
    ({"purchases": {"min_sum": 250, "currency": "USD"}}, []),
    ({"purchases": {"product": "Tea"}}, ["Bob"]),
    ({"purchases": {"max_count": 1}}, ["Bob"]),
    ({"not": {"purchases": {}}}, ["Cid"]),
    ({"interactions": {"kind": "call", "within_days": 30}}, ["Bob"]),
    ({"interactions": {"channel": "email"}}, ["Cid"]),
    ({"interactions": {"channel": "email", "within_days": 365}}, []),
    ({"any": [{"filter": "tags:in:vip,lead"},
              {"all": [{"purchases": {}}, {"not": {"purchases": {"within_days": 90}}}]}]},
     ["Ann", "Bob", "Cid"]),
    ({"all": [{"filter": "given_name:ne:Ann"}, {"not": {"filter": "tags:eq:lead"}}]},
     ["Bob"]),
])
def test_definitions_select_exactly_their_contacts(client, shop, definition, expected):
    t, _ = shop
    assert _members(client, t, definition) == expected


def test_contacts_page_like_the_contact_list(client, shop):
    t, people = shop
    r = client.post(SEGMENTS, headers=t.headers,
                    json={"name": "Everyone", "definition": {"not": {"filter": "tags:eq:x"}}})
    sid = r.json()["id"]
    first = client.get(f"{SEGMENTS}/{sid}/contacts", headers=t.headers, params={"limit": 2})
    assert first.status_code == 200, first.text
    assert first.json()["count"] is None
    cursor = first.json()["next_cursor"]
    second = client.get(f"{SEGMENTS}/{sid}/contacts", headers=t.headers,
                        params={"limit": 2, "cursor": cursor}).json()
    assert second["next_cursor"] is None
    seen = [c["id"] for c in first.json()["items"] + second["items"]]
    assert seen == [people["cid"], people["bob"], people["ann"]]  # newest first, no Dee
    listed = client.get("/api/v1/contacts", headers=t.headers).json()["items"]
    assert first.json()["items"][0] == listed[0]  # the contact list's own row shape


def test_crud_and_audit_of_a_segment(client, tenant):
    r = client.post(SEGMENTS, headers=tenant.headers, json={
        "name": "Buyers", "description": "Bought anything", "definition": {"purchases": {}}})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert r.json()["kind"] == "dynamic"
    r = client.patch(f"{SEGMENTS}/{sid}", headers=tenant.headers,
                     json={"name": "Recent buyers", "description": None,
                           "definition": {"purchases": {"within_days": 30}}})
    assert r.status_code == 200, r.text
    got = client.get(f"{SEGMENTS}/{sid}", headers=tenant.headers).json()
    assert (got["name"], got["description"], got["count"]) == ("Recent buyers", None, 0)
    assert got["definition"] == {"purchases": {"within_days": 30}}
    listed = client.get(SEGMENTS, headers=tenant.headers).json()
    assert [s["id"] for s in listed["items"]] == [sid]
    assert client.delete(f"{SEGMENTS}/{sid}", headers=tenant.headers).status_code == 204
    assert client.get(f"{SEGMENTS}/{sid}", headers=tenant.headers).status_code == 404


@pytest.mark.parametrize(("definition", "field"), [
    ({"filter": "custom.nope:eq:1"}, "definition.filter"),
    ({"filter": "given_name:like:x"}, "definition.filter"),
    ({"filter": "tags:lt:x"}, "definition.filter"),
    ({"all": []}, "definition.all"),
    ({"all": [{"filter": "tags:eq:a"}, {"maybe": 1}]}, "definition.all[1]"),
    ({"filter": "tags:eq:a", "not": {}}, "definition"),
    ({"not": {"any": [{"purchases": {"within_days": 0}}]}},
     "definition.not.any[0].purchases.within_days"),
    ({"purchases": {"min_sum": 10}}, "definition.purchases.currency"),
    ({"purchases": {"min_sum": "ten", "currency": "EUR"}}, "definition.purchases.min_sum"),
    ({"purchases": {"colour": "red"}}, "definition.purchases.colour"),
    ({"interactions": {"kind": "telepathy"}}, "definition.interactions.kind"),
    ({"interactions": {"min_count": True}}, "definition.interactions.min_count"),
    ({"not": {"not": {"not": {"not": {"not": {"not": {"not": {"not": {}}}}}}}}},
     "definition.not.not.not.not.not.not.not.not"),
])
def test_bad_definitions_are_422_naming_the_problem(client, tenant, definition, field):
    r = client.post(SEGMENTS, headers=tenant.headers,
                    json={"name": "Bad", "definition": definition})
    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["errors"]] == [field], r.text
    r = client.post(f"{SEGMENTS}/count", headers=tenant.headers, json={"definition": definition})
    assert r.status_code == 422, r.text
    assert client.get(SEGMENTS, headers=tenant.headers).json()["items"] == []  # nothing written


def test_a_bad_patch_changes_nothing(client, tenant):
    sid = client.post(SEGMENTS, headers=tenant.headers, json={
        "name": "Vips", "definition": {"filter": "tags:eq:vip"}}).json()["id"]
    r = client.patch(f"{SEGMENTS}/{sid}", headers=tenant.headers,
                     json={"name": "Broken", "definition": {"filter": "nope:eq:1"}})
    assert r.status_code == 422, r.text
    got = client.get(f"{SEGMENTS}/{sid}", headers=tenant.headers).json()
    assert (got["name"], got["definition"]) == ("Vips", {"filter": "tags:eq:vip"})


def test_viewers_read_segments_but_do_not_write_them(client, tenant):
    sid = client.post(SEGMENTS, headers=tenant.headers, json={
        "name": "Vips", "definition": {"filter": "tags:eq:vip"}}).json()["id"]
    viewer = {"Authorization": "Bearer " + member_token(
        client, tenant, f"{unique('viewer')}@example.com", role="viewer")}
    assert client.get(f"{SEGMENTS}/{sid}/contacts", headers=viewer).status_code == 200
    assert client.post(SEGMENTS, headers=viewer, json={
        "name": "Mine", "definition": {"purchases": {}}}).status_code == 403
    assert client.delete(f"{SEGMENTS}/{sid}", headers=viewer).status_code == 403
    assert client.get(SEGMENTS).status_code == 401


def test_segments_refer_to_segments_but_never_in_a_circle(client, shop):
    t, _ = shop
    vips = client.post(SEGMENTS, headers=t.headers, json={
        "name": unique("vips"), "definition": {"filter": "tags:eq:vip"}}).json()["id"]
    assert _members(client, t, {"any": [{"segment": vips}, {"filter": "given_name:eq:Bob"}]}) \
        == ["Ann", "Bob"]
    outer = client.post(SEGMENTS, headers=t.headers, json={
        "name": unique("outer"), "definition": {"not": {"segment": vips}}}).json()["id"]
    r = client.patch(f"{SEGMENTS}/{vips}", headers=t.headers,
                     json={"definition": {"all": [{"segment": outer}]}})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "definition.all[0].segment.not.segment"
    assert "circular" in r.json()["errors"][0]["message"]
    r = client.patch(f"{SEGMENTS}/{vips}", headers=t.headers,
                     json={"definition": {"segment": vips}})
    assert r.status_code == 422, r.text
    for missing in ("0190a0a0-0000-7000-8000-000000000000", "not-an-id"):
        r = client.post(SEGMENTS, headers=t.headers,
                        json={"name": "Dangling", "definition": {"segment": missing}})
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"] == "definition.segment"
    r = client.delete(f"{SEGMENTS}/{vips}", headers=t.headers)
    assert r.status_code == 409, r.text  # outer (and the one _members saved) refer to it
    assert len(r.json()["segments"]) == 2, r.text
    assert client.get(f"{SEGMENTS}/{vips}", headers=t.headers).status_code == 200
    assert client.delete(f"{SEGMENTS}/{outer}", headers=t.headers).status_code == 204
