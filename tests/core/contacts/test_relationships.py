"""Families, colleagues and groups: many-to-many, so "the others in this customer's group"
is one query."""

from __future__ import annotations

from rapport.core.contacts.relationships.service import related_statement
from tests.conftest import sign_up
from tests.core.contacts.support import CONTACTS, compiled, explain, make

RELATIONSHIPS = "/api/v1/relationships"


def _relationship(client, t, kind, members, name=None):
    body = {"kind": kind, "members": members, **({"name": name} if name else {})}
    r = client.post(RELATIONSHIPS, json=body, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_related_people_across_families_and_groups(client):
    t = sign_up(client)
    mum, dad, kid, friend = (make(client, t, given_name=n)["id"]
                             for n in ("Mum", "Dad", "Kid", "Friend"))
    family = _relationship(client, t, "family", [
        {"contact_id": mum, "role": "parent"}, {"contact_id": dad, "role": "parent"},
        {"contact_id": kid, "role": "child"}], name="The Kovals")
    assert [m["display_name"] for m in family["members"]] == ["Mum", "Dad", "Kid"]
    _relationship(client, t, "group", [{"contact_id": mum}, {"contact_id": friend}],
                  name="Book club")
    r = client.get(f"{CONTACTS}/{mum}/related", headers=t.headers)
    assert r.status_code == 200
    assert sorted((x["display_name"], x["kind"]) for x in r.json()["items"]) == [
        ("Dad", "family"), ("Friend", "group"), ("Kid", "family")]
    only_family = client.get(f"{CONTACTS}/{mum}/related?kind=family", headers=t.headers).json()
    assert {x["role"] for x in only_family["items"]} == {"parent", "child"}
    mine = client.get(f"{RELATIONSHIPS}?contact_id={friend}", headers=t.headers).json()
    assert [x["name"] for x in mine["items"]] == ["Book club"]


def test_members_are_added_changed_and_removed(client):
    t = sign_up(client)
    a, b, c = (make(client, t, given_name=n)["id"] for n in ("A", "B", "C"))
    rel = _relationship(client, t, "colleagues", [{"contact_id": a}, {"contact_id": b}])
    url = f"{RELATIONSHIPS}/{rel['id']}"
    r = client.put(f"{url}/members/{c}", json={"role": "team lead"}, headers=t.headers)
    assert r.status_code == 200 and len(r.json()["members"]) == 3
    assert client.delete(f"{url}/members/{a}", headers=t.headers).status_code == 204
    assert client.delete(f"{url}/members/{a}", headers=t.headers).status_code == 404
    r = client.patch(url, json={"kind": "group", "name": "Project X"}, headers=t.headers)
    assert r.json()["kind"] == "group" and r.json()["name"] == "Project X"
    assert client.delete(url, headers=t.headers).status_code == 204
    assert client.get(f"{CONTACTS}/{b}/related", headers=t.headers).json()["items"] == []


def test_bad_input_and_other_tenants_contacts(client, tenant, other_tenant):
    mine = make(client, tenant, given_name="Mine")["id"]
    theirs = make(client, other_tenant, given_name="Theirs")["id"]
    r = client.post(RELATIONSHIPS, json={"kind": "family", "members": [
        {"contact_id": mine}, {"contact_id": theirs}]}, headers=tenant.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "members[1].contact_id"
    r = client.post(RELATIONSHIPS, json={"kind": "enemies", "members": [{"contact_id": mine}]},
                    headers=tenant.headers)
    assert r.status_code == 422
    r = client.post(RELATIONSHIPS, json={"kind": "family", "members": []}, headers=tenant.headers)
    assert r.status_code == 422


def test_related_is_one_index_led_query(database):
    import uuid

    tenant = uuid.uuid4()
    sql, params = compiled(related_statement(tenant, uuid.uuid4(), None))
    text = explain(database, str(tenant), sql, params)
    assert "ix_contact_relationship_members_tenant_id_contact_id" in text, text
    assert "Seq Scan" not in text, text
