"""The loyalty tier as a field of the contact list's own grammar (``retail.tier``, through
``rapport_contact_filters``): the list and a segment's filter node select the members
holding a tier now; a tenant without retail does not know the field."""

from __future__ import annotations

from tests.conftest import sign_up, unique
from tests.plugins.retail import support as retail


def _names(client, headers, raw: str) -> set[str]:
    r = client.get("/api/v1/contacts", headers=headers, params={"filter": raw, "limit": 200})
    assert r.status_code == 200, r.text
    return {c["given_name"] for c in r.json()["items"]}


def test_the_contact_list_filters_by_loyalty_tier(client):
    s = retail.shop(client)
    for name, threshold in (("Silver", 0), ("Gold", 300)):
        r = client.post(f"{retail.R}/programs/{s.program_id}/tiers",
                        json={"name": name, "threshold": threshold}, headers=s.headers)
        assert r.status_code == 201, r.text
    olena = retail.customer(client, s, given_name="Olena")
    petro = retail.customer(client, s, given_name="Petro")
    r = client.post("/api/v1/contacts", headers=s.headers, json={"given_name": "Nobody"})
    assert r.status_code == 201, r.text
    for member, amount in ((olena, "400"), (petro, "50")):
        card = member["cards"][0]["number"]
        assert retail.buy(client, s, card, unique("till"), amount=amount).status_code == 201
    assert _names(client, s.headers, "retail.tier:eq:Gold") == {"Olena"}
    assert _names(client, s.headers, "retail.tier:in:Silver,Gold") == {"Olena", "Petro"}
    assert "Nobody" in _names(client, s.headers, "retail.tier:is_empty:true")
    assert "Olena" not in _names(client, s.headers, "retail.tier:ne:Gold")
    r = client.get("/api/v1/contacts", headers=s.headers, params={"filter": "retail.tier:gt:A"})
    assert r.status_code == 400 and "does not apply to retail.tier" in r.json()["detail"]
    r = client.post("/api/v1/segments/count", headers=s.headers,
                    json={"definition": {"filter": "retail.tier:eq:Silver"}})
    assert r.status_code == 200 and r.json()["count"] == 1
    # Without the retail module the field is unknown, as any other.
    plain = sign_up(client)
    r = client.get("/api/v1/contacts", headers=plain.headers,
                   params={"filter": "retail.tier:eq:Gold"})
    assert r.status_code == 400 and "unknown field 'retail.tier'" in r.json()["detail"]
