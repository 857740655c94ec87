"""Merging two records of one person: one survivor, everything about the other moved to it
(interactions, facts, links, relationships, plugins' records — found through the catalogue),
the survivor's values winning and the other's filling gaps; the other id then answers 404."""

from __future__ import annotations

import pytest

from tests.conftest import member_token, sign_up
from tests.core.contacts.support import CONTACTS, make

INTERACTIONS = "/api/v1/interactions"


def _merge(client, t, survivor, other, **extra):
    return client.post(f"{CONTACTS}/{survivor}/merge", json={"other_id": other, **extra},
                       headers=t.headers)


@pytest.fixture
def org(client):
    t = sign_up(client)
    assert client.put("/api/v1/modules/stamps", headers=t.headers).status_code == 200
    return t


def test_merge_moves_everything_and_fills_gaps(client, database, org):
    h = org.headers
    field = client.post("/api/v1/fields", json={"key": "referred_by", "entity": "contact",
                                                "type": "reference", "label": "Referred by"},
                        headers=h)
    assert field.status_code == 201, field.text
    survivor = make(client, org, given_name="Taras", family_name="Shevchenko",
                    email="taras@example.com", phones=["+380671234567"], tags=["vip"])
    other = make(client, org, given_name="Tapac", patronymic="Hryhorovych",
                 emails=["kobzar@example.com"], phones=["+380671234567", "+442079460958"],
                 tags=["vip", "poet"], birthday="1990-03-09", external_id="ext-1",
                 source="fair", addresses=[{"city": "Kyiv"}])
    s, o = survivor["id"], other["id"]
    friend = make(client, org, given_name="Friend",
                  fields={"custom.referred_by": {"type": "contact", "id": o}})
    shared = client.post("/api/v1/organizations", json={"name": "Academy"}, headers=h).json()
    extra = client.post("/api/v1/organizations", json={"name": "Prosvita"}, headers=h).json()
    for person, place in ((s, shared), (o, shared), (o, extra)):
        r = client.post(f"{CONTACTS}/{person}/organizations",
                        json={"organization_id": place["id"]}, headers=h)
        assert r.status_code == 201, r.text
    family = client.post("/api/v1/relationships", json={"kind": "family", "members": [
        {"contact_id": s}, {"contact_id": o}]}, headers=h).json()
    club = client.post("/api/v1/relationships", json={"kind": "group", "members": [
        {"contact_id": o}, {"contact_id": friend["id"]}]}, headers=h).json()
    calls = [client.post(INTERACTIONS, json={"contact_id": o, "kind": "call"}, headers=h)
             for _ in range(2)]
    assert all(r.status_code == 201 for r in calls), calls[0].text

    r = _merge(client, org, s, o, provenance={"source": "duplicate found at the front desk"})
    assert r.status_code == 200, r.text
    merged = r.json()
    assert merged["given_name"] == "Taras" and merged["patronymic"] == "Hryhorovych"
    assert merged["birthday"] == "1990-03-09" and merged["external_id"] == "ext-1"
    assert merged["source"] == "fair" and merged["addresses"][0]["city"] == "Kyiv"
    assert [(e["address"], e["primary"]) for e in merged["emails"]] == [
        ("taras@example.com", True), ("kobzar@example.com", False)]
    assert [p["number"] for p in merged["phones"]] == ["+380671234567", "+442079460958"]
    assert merged["tags"] == ["poet", "vip"]

    assert client.get(f"{CONTACTS}/{o}", headers=h).status_code == 404
    view = client.get(f"{CONTACTS}/{s}", headers=h).json()
    assert sorted(x["organization_name"] for x in view["organizations"]) == ["Academy", "Prosvita"]
    related = client.get(f"{CONTACTS}/{s}/related", headers=h).json()["items"]
    assert [x["display_name"] for x in related] == ["Friend"]
    assert [m["contact_id"] for m in client.get(f"/api/v1/relationships/{family['id']}",
                                                headers=h).json()["members"]] == [s]
    assert club["id"] in {x["relationship_id"] for x in related}
    moved_calls = client.get(INTERACTIONS, params={"contact_id": s}, headers=h).json()["items"]
    assert len(moved_calls) == 2
    cards = client.get("/api/v1/stamps/cards", headers=h).json()
    assert sorted(c["contact_id"] for c in cards).count(s) == 2  # both stamp cards moved
    assert client.get(f"{CONTACTS}/{friend['id']}", headers=h).json()["fields"][
        "custom.referred_by"] == {"type": "contact", "id": s}
    found = client.get(CONTACTS, params={"q": "kobzar hryhorovych"}, headers=h).json()["items"]
    assert [c["id"] for c in found] == [s]

    facts = {f["field"]: f for f in client.get(f"{CONTACTS}/{s}/facts",
                                                headers=h).json()["fields"]}
    assert facts["birthday"]["history"][0]["channel"] == "merge"
    assert facts["birthday"]["history"][0]["source"] == "duplicate found at the front desk"
    # The other's own history came along: it was first learned when the other was created.
    assert [x["value"] for x in facts["given_name"]["history"]] == ["Tapac", "Taras"]

    log = client.get("/api/v1/audit", params={"record_type": "contact", "record_id": s},
                     headers=h).json()["items"]
    entry = log[0]
    assert entry["action"] == "merge" and entry["detail"]["merged_id"] == o
    assert entry["detail"]["moved"]["interactions"] == 2
    assert entry["detail"]["dropped"]["contact_organizations"] == 1
    gone = client.get("/api/v1/audit", params={"record_type": "contact", "record_id": o},
                      headers=h).json()["items"]
    assert gone[0]["action"] == "merge" and gone[0]["detail"]["merged_into"] == s
    with database.connect_superuser() as conn:
        name, payload = conn.execute(
            "SELECT name, payload FROM event_outbox WHERE tenant_id = %s AND record_id = %s "
            "ORDER BY id DESC LIMIT 1", (org.id, s)).fetchone()
    assert name == "contact.merged" and payload["merged_id"] == o


def test_merge_refuses_itself_and_other_tenants(client, tenant, other_tenant):
    mine = make(client, tenant, given_name="Mine")["id"]
    second = make(client, tenant, given_name="Second")["id"]
    theirs = make(client, other_tenant, given_name="Theirs")["id"]
    r = _merge(client, tenant, mine, mine)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "other_id"
    assert _merge(client, tenant, mine, theirs).status_code == 404
    assert _merge(client, other_tenant, theirs, mine).status_code == 404
    assert client.get(f"{CONTACTS}/{mine}", headers=tenant.headers).status_code == 200
    assert client.get(f"{CONTACTS}/{theirs}", headers=other_tenant.headers).status_code == 200
    token = member_token(client, tenant, f"v-{tenant.slug}@example.com", role="viewer",
                         password="viewer password 1")
    r = client.post(f"{CONTACTS}/{mine}/merge", json={"other_id": second},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403


def test_the_survivor_takes_the_others_primary_email_when_it_had_none(client, tenant):
    s = make(client, tenant, given_name="No email")["id"]
    o = make(client, tenant, given_name="Has email", email="has@example.com")["id"]
    merged = _merge(client, tenant, s, o).json()
    assert merged["email"] == "has@example.com" and merged["emails"][0]["primary"]
    assert merged["given_name"] == "No email"
