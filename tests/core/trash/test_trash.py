"""The trash: deleting moves contacts, deals and organizations there; they come back with
restore, go for good with purge (owners and admins) or with the worker after
``RAPPORT_TRASH_DAYS``; another tenant sees none of it."""

from __future__ import annotations

import functools

from rapport.core.trash.service import purge_expired
from tests.conftest import member_token, unique


def _contact(client, t, name="Olena", **extra) -> str:
    r = client.post("/api/v1/contacts", json={"given_name": name, **extra}, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _deal(client, t, title="Boiler") -> str:
    r = client.post("/api/v1/deals", json={"title": title}, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _org(client, t, name="Acme") -> str:
    r = client.post("/api/v1/organizations", json={"name": name}, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _trash(client, headers, query="") -> list[dict]:
    r = client.get(f"/api/v1/trash{query}", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def _ids(client, path, headers) -> set[str]:
    r = client.get(path, headers=headers)
    assert r.status_code == 200, r.text
    return {item["id"] for item in r.json()["items"]}


def test_a_deleted_contact_leaves_every_read_and_comes_back(client, tenant):
    name = unique("Zorya")
    cid = _contact(client, tenant, name, email=f"{name}@example.com")
    assert cid in _ids(client, f"/api/v1/contacts?q={name}", tenant.headers)

    assert client.delete(f"/api/v1/contacts/{cid}", headers=tenant.headers).status_code == 204
    assert client.get(f"/api/v1/contacts/{cid}", headers=tenant.headers).status_code == 404
    assert cid not in _ids(client, "/api/v1/contacts", tenant.headers)
    assert cid not in _ids(client, f"/api/v1/contacts?q={name}", tenant.headers)
    assert client.patch(f"/api/v1/contacts/{cid}", json={"given_name": "X"},
                        headers=tenant.headers).status_code == 404
    trashed = [i for i in _trash(client, tenant.headers) if i["id"] == cid]
    assert len(trashed) == 1
    assert trashed[0]["kind"] == "contacts" and trashed[0]["label"] == name
    me = client.get("/api/v1/me", headers=tenant.headers).json()["user"]["id"]
    assert trashed[0]["deleted_by"] == me and trashed[0]["deleted_at"]

    r = client.post(f"/api/v1/trash/contacts/{cid}/restore", headers=tenant.headers)
    assert r.status_code == 200, r.text
    got = client.get(f"/api/v1/contacts/{cid}", headers=tenant.headers)
    assert got.status_code == 200 and got.json()["email"].lower() == f"{name}@example.com".lower()
    assert cid in _ids(client, f"/api/v1/contacts?q={name}", tenant.headers)
    assert cid not in {i["id"] for i in _trash(client, tenant.headers)}
    # Restored and purged leave their audit entries.
    log = client.get(f"/api/v1/audit?record_type=contact&record_id={cid}",
                     headers=tenant.headers)
    if log.status_code == 200:
        assert "restore" in {e["action"] for e in log.json()["items"]}


def test_an_email_of_a_trashed_contact_can_be_used_again(client, tenant):
    email = f"{unique('again')}@example.com"
    first = _contact(client, tenant, "First", email=email)
    assert client.delete(f"/api/v1/contacts/{first}", headers=tenant.headers).status_code == 204
    second = _contact(client, tenant, "Second", email=email)
    assert second != first
    # The address is taken now: restoring the first says so, and changes nothing.
    r = client.post(f"/api/v1/trash/contacts/{first}/restore", headers=tenant.headers)
    assert r.status_code == 409, r.text
    assert first in {i["id"] for i in _trash(client, tenant.headers)}
    assert client.delete(f"/api/v1/contacts/{second}", headers=tenant.headers).status_code == 204
    assert client.post(f"/api/v1/trash/contacts/{first}/restore",
                       headers=tenant.headers).status_code == 200


def test_deals_and_organizations_go_to_the_trash_too(client, tenant):
    deal = _deal(client, tenant)
    org = _org(client, tenant, unique("Org"))
    assert client.delete(f"/api/v1/deals/{deal}", headers=tenant.headers).status_code == 204
    assert client.delete(f"/api/v1/organizations/{org}",
                         headers=tenant.headers).status_code == 204
    assert client.get(f"/api/v1/deals/{deal}", headers=tenant.headers).status_code == 404
    assert deal not in _ids(client, "/api/v1/deals", tenant.headers)
    assert client.get(f"/api/v1/organizations/{org}", headers=tenant.headers).status_code == 404
    assert org not in _ids(client, "/api/v1/organizations", tenant.headers)
    kinds = {i["id"]: i["kind"] for i in _trash(client, tenant.headers)}
    assert kinds[deal] == "deals" and kinds[org] == "organizations"
    assert {i["id"] for i in _trash(client, tenant.headers, "?kind=deals")} == {deal}

    for kind, rid in (("deals", deal), ("organizations", org)):
        r = client.post(f"/api/v1/trash/{kind}/{rid}/restore", headers=tenant.headers)
        assert r.status_code == 200, r.text
    assert client.get(f"/api/v1/deals/{deal}", headers=tenant.headers).status_code == 200
    assert client.get(f"/api/v1/organizations/{org}", headers=tenant.headers).status_code == 200
    # Restoring what is not in the trash: 404.
    assert client.post(f"/api/v1/trash/deals/{deal}/restore",
                       headers=tenant.headers).status_code == 404


def test_purge_now_is_for_owners_and_admins(client, database, tenant):
    cid = _contact(client, tenant)
    client.delete(f"/api/v1/contacts/{cid}", headers=tenant.headers)
    writer = {"Authorization": "Bearer " + member_token(
        client, tenant, f"w-{tenant.slug}@example.com", role="member")}
    assert client.delete(f"/api/v1/trash/contacts/{cid}", headers=writer).status_code == 403
    assert client.delete(f"/api/v1/trash/contacts/{cid}", headers=tenant.headers).status_code == 204
    assert cid not in {i["id"] for i in _trash(client, tenant.headers)}
    with database.connect_superuser() as conn:
        assert conn.execute("SELECT count(*) FROM contacts WHERE id = %s",
                            (cid,)).fetchone()[0] == 0


def test_viewers_see_the_trash_but_cannot_restore(client, tenant):
    cid = _contact(client, tenant)
    client.delete(f"/api/v1/contacts/{cid}", headers=tenant.headers)
    viewer = {"Authorization": "Bearer " + member_token(
        client, tenant, f"v-{tenant.slug}@example.com", role="viewer")}
    assert cid in {i["id"] for i in _trash(client, viewer)}
    assert client.post(f"/api/v1/trash/contacts/{cid}/restore", headers=viewer).status_code == 403
    assert client.delete(f"/api/v1/trash/contacts/{cid}", headers=viewer).status_code == 403
    writer = {"Authorization": "Bearer " + member_token(
        client, tenant, f"w2-{tenant.slug}@example.com", role="member")}
    assert client.post(f"/api/v1/trash/contacts/{cid}/restore", headers=writer).status_code == 200


def test_another_tenant_cannot_see_restore_or_purge(client, tenant, other_tenant):
    ids = {"contacts": _contact(client, tenant), "deals": _deal(client, tenant),
           "organizations": _org(client, tenant)}
    for kind, rid in ids.items():
        assert client.delete(f"/api/v1/{kind}/{rid}", headers=tenant.headers).status_code == 204
    assert not set(ids.values()) & {i["id"] for i in _trash(client, other_tenant.headers)}
    for kind, rid in ids.items():
        assert client.post(f"/api/v1/trash/{kind}/{rid}/restore",
                           headers=other_tenant.headers).status_code == 404
        assert client.delete(f"/api/v1/trash/{kind}/{rid}",
                             headers=other_tenant.headers).status_code == 404
    assert set(ids.values()) <= {i["id"] for i in _trash(client, tenant.headers)}


def test_unknown_kind_is_refused(client, tenant):
    cid = _contact(client, tenant)
    r = client.post(f"/api/v1/trash/tasks/{cid}/restore", headers=tenant.headers)
    assert r.status_code in (400, 404, 422)


def test_the_worker_purges_only_what_is_older_than_the_retention(client, database, tenant):
    old, recent, alive = (_contact(client, tenant, n) for n in ("Old", "Recent", "Alive"))
    old_deal = _deal(client, tenant)
    for path in (f"contacts/{old}", f"contacts/{recent}", f"deals/{old_deal}"):
        assert client.delete(f"/api/v1/{path}", headers=tenant.headers).status_code == 204
    with database.connect_superuser() as conn:
        for table, rid in (("contacts", old), ("deals", old_deal)):
            conn.execute(f"UPDATE {table} SET deleted_at = now() - interval '31 days'"
                         " WHERE id = %s", (rid,))
    state = client.app.state
    run = functools.partial(purge_expired, state.sessionmaker, state.registry,
                            max_tenants=1_000_000)
    assert client.blocking_portal.call(run) >= 2
    with database.connect_superuser() as conn:
        left = {r[0] for r in conn.execute(
            "SELECT id::text FROM contacts WHERE tenant_id = %s", (tenant.id,))}
        assert old not in left and {recent, alive} <= left
        assert conn.execute("SELECT count(*) FROM deals WHERE id = %s",
                            (old_deal,)).fetchone()[0] == 0
        actions = {r[0] for r in conn.execute(
            "SELECT action FROM audit_events WHERE tenant_id = %s AND record_id = %s",
            (tenant.id, old))}
    assert "purge" in actions
    # A shorter retention (RAPPORT_TRASH_DAYS) reaches the recent one as well.
    run = functools.partial(purge_expired, state.sessionmaker, state.registry, days=0,
                            max_tenants=1_000_000)
    assert client.blocking_portal.call(run) >= 1
    assert recent not in {i["id"] for i in _trash(client, tenant.headers)}


def test_a_trashed_contacts_interactions_and_timeline_are_hidden(client, tenant):
    from tests.core.interactions.support import INTERACTIONS, log

    cid = _contact(client, tenant)
    made = log(client, tenant.headers, cid)
    assert made["id"] in _ids(client, INTERACTIONS, tenant.headers)
    assert client.get(f"/api/v1/contacts/{cid}/timeline",
                      headers=tenant.headers).status_code == 200
    client.delete(f"/api/v1/contacts/{cid}", headers=tenant.headers)
    assert client.get(f"{INTERACTIONS}/{made['id']}", headers=tenant.headers).status_code == 404
    assert made["id"] not in _ids(client, INTERACTIONS, tenant.headers)
    assert client.get(f"/api/v1/contacts/{cid}/timeline",
                      headers=tenant.headers).status_code == 404
    client.post(f"/api/v1/trash/contacts/{cid}/restore", headers=tenant.headers)
    assert client.get(f"{INTERACTIONS}/{made['id']}", headers=tenant.headers).status_code == 200


def test_the_trash_pages_by_cursor_across_kinds(client, tenant):
    made = [("contacts", _contact(client, tenant)), ("deals", _deal(client, tenant)),
            ("organizations", _org(client, tenant)), ("contacts", _contact(client, tenant))]
    for kind, rid in made:
        assert client.delete(f"/api/v1/{kind}/{rid}", headers=tenant.headers).status_code == 204
    seen, cursor = [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        r = client.get("/api/v1/trash", params=params, headers=tenant.headers)
        assert r.status_code == 200, r.text
        seen += [i["id"] for i in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    # Most recently deleted first, each once.
    assert seen == [rid for _, rid in reversed(made)]
    assert client.get("/api/v1/trash", params={"cursor": "nonsense"},
                      headers=tenant.headers).status_code == 400


def test_purging_an_organization_keeps_its_people_and_deals(client, tenant):
    org = _org(client, tenant, unique("Mill"))
    person = _contact(client, tenant)
    r = client.post(f"/api/v1/contacts/{person}/organizations", json={"organization_id": org},
                    headers=tenant.headers)
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/deals", json={"title": "Fit-out", "organization_id": org},
                    headers=tenant.headers)
    assert r.status_code == 201, r.text
    deal = r.json()["id"]
    assert client.delete(f"/api/v1/organizations/{org}", headers=tenant.headers).status_code == 204
    links = client.get(f"/api/v1/contacts/{person}/organizations", headers=tenant.headers)
    assert links.status_code == 200 and links.json()["items"] == []
    assert client.delete(f"/api/v1/trash/organizations/{org}",
                         headers=tenant.headers).status_code == 204
    assert client.get(f"/api/v1/contacts/{person}", headers=tenant.headers).status_code == 200
    assert client.get(f"/api/v1/deals/{deal}", headers=tenant.headers).status_code == 200
