"""Organizations and the people at them: records, links (role, title, since/until), lists."""

from __future__ import annotations

from tests.conftest import sign_up
from tests.core.contacts.support import CONTACTS, make

ORGS = "/api/v1/organizations"


def _org(client, t, **body):
    r = client.post(ORGS, json=body, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_create_read_update_delete(client, tenant):
    h = tenant.headers
    org = _org(client, tenant, name=" Acme  Ltd ", website="https://acme.example",
               industry="Dealers", external_id="erp-7")
    assert org["name"] == "Acme Ltd" and org["website"] == "https://acme.example"
    url = f"{ORGS}/{org['id']}"
    assert client.get(url, headers=h).json()["industry"] == "Dealers"
    r = client.patch(url, json={"notes": "Also a supplier", "website": None}, headers=h)
    assert r.status_code == 200 and r.json()["notes"] == "Also a supplier"
    assert r.json()["website"] is None
    assert client.delete(url, headers=h).status_code == 204
    assert client.get(url, headers=h).status_code == 404


def test_bad_input(client, tenant):
    h = tenant.headers
    assert client.post(ORGS, json={"name": ""}, headers=h).status_code == 422
    r = client.post(ORGS, json={"name": "X", "website": "ftp://x"}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "website"
    _org(client, tenant, name="Y", external_id="dup")
    r = client.post(ORGS, json={"name": "Z", "external_id": "dup"}, headers=h)
    assert r.status_code == 409
    assert client.get(f"{ORGS}?cursor=garbage", headers=h).status_code == 400


def test_list_by_name_with_prefix_search_and_cursor(client):
    t = sign_up(client)
    for name in ("Zenit", "Ávila Motors", "avalon", "Beta", "Alpha"):
        _org(client, t, name=name)
    first = client.get(f"{ORGS}?limit=2", headers=t.headers).json()
    second = client.get(f"{ORGS}?limit=2&cursor={first['next_cursor']}", headers=t.headers)
    names = [o["name"] for o in first["items"] + second.json()["items"]]
    assert names == ["Alpha", "avalon", "Ávila Motors", "Beta"]
    found = client.get(f"{ORGS}?q=AV", headers=t.headers).json()["items"]
    assert [o["name"] for o in found] == ["avalon", "Ávila Motors"]


def test_links_record_role_title_and_period(client):
    t = sign_up(client)
    h = t.headers
    person = make(client, t, given_name="Oksana", family_name="Bilous")
    org = _org(client, t, name="Motor Sich")
    links = f"{CONTACTS}/{person['id']}/organizations"
    r = client.post(links, json={"organization_id": org["id"], "role": "customer",
                                 "title": "Buyer", "since": "2020-01-01"}, headers=h)
    assert r.status_code == 201, r.text
    link = r.json()
    assert link["organization_name"] == "Motor Sich" and link["title"] == "Buyer"
    assert client.post(links, json={"organization_id": org["id"]}, headers=h).status_code == 409
    r = client.patch(f"{links}/{link['id']}", json={"until": "2019-01-01"}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "until"
    r = client.patch(f"{links}/{link['id']}", json={"until": "2024-06-30", "role": "supplier"},
                     headers=h)
    assert r.status_code == 200 and r.json()["role"] == "supplier"
    view = client.get(f"{CONTACTS}/{person['id']}", headers=h).json()
    assert [o["organization_name"] for o in view["organizations"]] == ["Motor Sich"]
    people = client.get(f"{ORGS}/{org['id']}/contacts", headers=h).json()["items"]
    assert [(p["display_name"], p["role"]) for p in people] == [("Oksana Bilous", "supplier")]
    assert client.delete(f"{links}/{link['id']}", headers=h).status_code == 204
    assert client.get(links, headers=h).json()["items"] == []


def test_links_never_reach_another_tenants_organization(client, tenant, other_tenant):
    theirs = _org(client, other_tenant, name="Theirs")
    mine = make(client, tenant, given_name="Mine")
    r = client.post(f"{CONTACTS}/{mine['id']}/organizations",
                    json={"organization_id": theirs["id"]}, headers=tenant.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "organization_id"
    assert client.get(ORGS, headers=tenant.headers).json()["items"] == []


def test_deleting_an_organization_keeps_its_people(client, tenant):
    person = make(client, tenant, given_name="Stays")
    org = _org(client, tenant, name="Gone")
    client.post(f"{CONTACTS}/{person['id']}/organizations", json={"organization_id": org["id"]},
                headers=tenant.headers)
    assert client.delete(f"{ORGS}/{org['id']}", headers=tenant.headers).status_code == 204
    view = client.get(f"{CONTACTS}/{person['id']}", headers=tenant.headers).json()
    assert view["organizations"] == []
