"""Retail's template variables and subscription events: a letter reads the member's
program, tier and points as ``{{ retail.* }}``, only for tenants with the module on."""

from __future__ import annotations

from tests.plugins.retail.support import buy, customer, shop


def test_a_template_reads_the_members_points_and_program(client):
    s = shop(client)
    member = customer(client, s, given_name="Mykola", family_name="Bondarenko",
                      honorific="Mr", language="en")
    assert buy(client, s, member["cards"][0]["number"], "till-1", amount="250").status_code \
        == 201
    r = client.post("/api/v1/templates", headers=s.headers, json={
        "name": "Points", "channel": "sms", "language": "en",
        "body": "{{ salutation }}: {{ retail.points }} points in {{ retail.program }}"})
    assert r.status_code == 201, r.text
    preview = client.post(f"/api/v1/templates/{r.json()['id']}/preview", headers=s.headers,
                          json={"contact_id": member["contact_id"]})
    assert preview.status_code == 200, preview.text
    assert preview.json()["body"].startswith("Dear Mr Bondarenko: ")
    assert preview.json()["body"].endswith(" points in Club")
    names = client.get("/api/v1/templates/variables", headers=s.headers).json()["examples"]
    assert names["retail"] == {"program": "Coffee Club", "tier": "Gold", "points": 1250}
    types = client.get("/api/v1/subscriptions/event-types", headers=s.headers).json()["items"]
    assert {"retail.tier_changed", "transaction.recorded"} <= {i["name"] for i in types}


def test_without_the_module_its_variables_are_unknown(client):
    s = shop(client)
    assert client.delete("/api/v1/modules/retail", headers=s.headers).status_code in (200, 204)
    r = client.post("/api/v1/templates", headers=s.headers, json={
        "name": "Points", "channel": "sms", "language": "en", "body": "{{ retail.points }}"})
    assert r.status_code == 422 and "unknown variable 'retail'" in r.json()["detail"]
    types = client.get("/api/v1/subscriptions/event-types", headers=s.headers).json()["items"]
    assert "retail.tier_changed" not in {i["name"] for i in types}
