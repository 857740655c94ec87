"""The sign-in audit: successes and refusals land in the tenant's log, the person lists
their own, admins read all through the audit API, other tenants never see them."""

import uuid

from rapport.core.audit.chain import verify_tenant
from tests.conftest import add_member, login, sign_up, unique


def _login(client, slug, email, password, *, address="198.51.100.7", agent="Firefox/130 test"):
    r = client.post(
        "/api/v1/auth/login",
        json={"tenant": slug, "email": email, "password": password},
        headers={"X-Forwarded-For": address, "User-Agent": agent},
    )
    client.cookies.clear()
    return r


def test_success_and_refusal_are_listed_for_the_person(client):
    t = sign_up(client)
    assert _login(client, t.slug, t.owner_email, "a wrong password here").status_code == 401
    ok = _login(client, t.slug, t.owner_email, t.owner_password, agent="Chromium/1 walk")
    assert ok.status_code == 200
    token = ok.json()["access_token"]
    r = client.get("/api/v1/me/sign-ins", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    newest, refused = items[0], items[1]
    assert (newest["method"], newest["outcome"], newest["reason"]) == ("password", "success", None)
    assert newest["address"] == "198.51.100.7"
    assert newest["user_agent"] == "Chromium/1 walk"
    assert (refused["outcome"], refused["reason"]) == ("refused", "password")
    assert refused["user_agent"] == "Firefox/130 test"
    # sign_up's own login is the oldest
    assert [i["outcome"] for i in items] == ["success", "refused", "success"]


def test_pages_follow_the_cursor(client):
    t = sign_up(client)
    for _ in range(2):
        _login(client, t.slug, t.owner_email, t.owner_password)
    first = client.get("/api/v1/me/sign-ins?limit=2", headers=t.headers).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = client.get(
        f"/api/v1/me/sign-ins?limit=2&cursor={first['next_cursor']}", headers=t.headers
    ).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    ids = [i["id"] for i in first["items"] + rest["items"]]
    assert len(set(ids)) == 3


def test_admins_read_the_tenant_log_through_the_audit_api(client):
    t = sign_up(client)
    member = add_member(client, t, f"{unique('m')}@example.com")
    _login(client, t.slug, member["email"], "not the member password")
    log = client.get("/api/v1/audit?record_type=sign_in", headers=t.headers).json()["items"]
    refused = [e for e in log if e["detail"]["outcome"] == "refused"]
    assert refused[0]["record_id"] == member["user_id"]
    assert refused[0]["actor_user_id"] is None  # the attempt was not the person's act
    assert refused[0]["detail"]["address"] == "198.51.100.7"
    assert "not the member password" not in str(log)


def test_the_person_sees_only_their_own_and_other_tenants_nothing(client):
    t, other = sign_up(client), sign_up(client)
    email = f"{unique('m')}@example.com"
    add_member(client, t, email, password="member password 1")
    _login(client, t.slug, email, "member password 1")
    mine = client.get(
        "/api/v1/me/sign-ins",
        headers={"Authorization": f"Bearer {login(client, t.slug, email, 'member password 1')}"},
    ).json()["items"]
    assert mine and all(i["method"] == "password" for i in mine)
    owners = client.get("/api/v1/me/sign-ins", headers=t.headers).json()["items"]
    assert not {i["id"] for i in owners} & {i["id"] for i in mine}
    # A wrong password for t's owner at another organization is not t's business, nor
    # the other organization's (the owner is not its member): nothing is logged there.
    _login(client, other.slug, t.owner_email, "a wrong password here")
    theirs = client.get("/api/v1/audit?record_type=sign_in", headers=other.headers).json()
    assert all(e["record_id"] != t.id for e in theirs["items"])
    assert {e["detail"]["outcome"] for e in theirs["items"]} == {"success"}


def test_the_audit_chain_still_verifies_with_sign_in_entries(client, database):
    t = sign_up(client)
    _login(client, t.slug, t.owner_email, "a wrong password here")
    with database.connect_owner() as conn:
        report = verify_tenant(conn, uuid.UUID(t.id))
    assert report.ok, report.problems
    assert report.entries >= 2
