"""Every change to a profile value records where it was learned: the source or interaction
sent with the write, else the member and the channel that made it."""

from __future__ import annotations

import uuid

from tests.core.contacts.support import CONTACTS, make, user_id


def _facts(client, t, contact_id, **params):
    r = client.get(f"{CONTACTS}/{contact_id}/facts", params=params, headers=t.headers)
    assert r.status_code == 200, r.text
    return {f["field"]: f for f in r.json()["fields"]}


def test_each_value_has_its_history_and_provenance(client, tenant):
    me = user_id(client, tenant)
    c = make(client, tenant, given_name="Ira", phones=["+380671234567"],
             provenance={"source": "Trade fair Lviv 2025"})
    client.patch(f"{CONTACTS}/{c['id']}", json={"phones": ["+380501234567"], "tags": ["vip"]},
                 headers=tenant.headers)
    facts = _facts(client, tenant, c["id"])
    assert facts["given_name"]["value"] == "Ira"
    [learned] = facts["given_name"]["history"]
    assert learned["source"] == "Trade fair Lviv 2025" and learned["channel"] == "api"
    assert learned["recorded_by"] == me and learned["recorded_by_name"] == "Olena Owner"
    phones = facts["phones"]
    assert phones["value"] == ["+380501234567"]
    assert [h["value"] for h in phones["history"]] == [["+380501234567"], ["+380671234567"]]
    assert phones["history"][0]["source"] is None  # no provenance sent: member + channel
    assert _facts(client, tenant, c["id"], field="tags")["tags"]["value"] == ["vip"]
    assert set(_facts(client, tenant, c["id"], field="tags")) == {"tags"}


def test_a_cleared_value_keeps_its_history(client, tenant):
    c = make(client, tenant, given_name="Oleh", source="Referral")
    client.patch(f"{CONTACTS}/{c['id']}", json={"source": None}, headers=tenant.headers)
    source = _facts(client, tenant, c["id"])["source"]
    assert source["value"] is None
    assert [h["value"] for h in source["history"]] == [None, "Referral"]


def test_provenance_interaction_must_be_the_tenants(client, tenant):
    r = client.post(CONTACTS, json={"given_name": "P",
                                    "provenance": {"interaction_id": str(uuid.uuid4())}},
                    headers=tenant.headers)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "provenance.interaction_id"


def test_provenance_can_name_an_interaction(client, tenant):
    c = make(client, tenant, given_name="Vira")
    r = client.post("/api/v1/interactions",
                    json={"contact_id": c["id"], "kind": "call", "subject": "Moved house"},
                    headers=tenant.headers)
    if r.status_code == 404:  # the interactions area is not installed here
        return
    assert r.status_code == 201, r.text
    call = r.json()["id"]
    r = client.patch(f"{CONTACTS}/{c['id']}", json={
        "addresses": [{"city": "Odesa", "country": "UA"}],
        "provenance": {"interaction_id": call, "source": "phone call"}}, headers=tenant.headers)
    assert r.status_code == 200, r.text
    [fact] = _facts(client, tenant, c["id"], field="addresses")["addresses"]["history"]
    assert fact["interaction_id"] == call and fact["source"] == "phone call"


def test_a_disabled_modules_fields_stay_hidden_in_the_facts(client):
    from tests.conftest import sign_up

    t = sign_up(client)
    assert client.put("/api/v1/modules/stamps", headers=t.headers).status_code == 200
    c = make(client, t, given_name="Latte lover", fields={"stamps.favourite_drink": "latte"})
    assert "fields.stamps.favourite_drink" in _facts(client, t, c["id"])
    assert client.delete("/api/v1/modules/stamps", headers=t.headers).is_success
    assert "fields.stamps.favourite_drink" not in _facts(client, t, c["id"])
