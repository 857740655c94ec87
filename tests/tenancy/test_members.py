"""Members: who may manage them, invitations accepted by e-mail, the last owner."""

from tests.conftest import TenantHandle, add_member, login, member_token


def _add(client, t: TenantHandle, email, role="member", full_name="Petro Ivanenko", **extra):
    body = {"email": email, "full_name": full_name, "role": role, **extra}
    return client.post("/api/v1/members", json=body, headers=t.headers)


def test_owner_invites_and_the_person_accepts_by_email(client, tenant, inbox):
    email = f"new-{tenant.slug}@example.com"
    r = _add(client, tenant, email)
    assert r.status_code == 201
    body = r.json()
    assert body["role"] == "member" and body["pending"] is True
    assert body["full_name"] == "Petro Ivanenko" and "invitation_url" not in body
    listed = client.get("/api/v1/members", headers=tenant.headers).json()["items"]
    assert {m["email"] for m in listed} == {tenant.owner_email, email}
    letter = inbox.wait_for(email)
    assert "Olena Owner invited you to" in letter.subject and "Choose your password" in letter.text
    accept = {"tenant": tenant.slug, "token": letter.token, "password": "my own new password",
              "full_name": "Petro Ivanovych"}
    assert client.post("/api/v1/invitations/accept", json=accept).status_code == 200
    token = login(client, tenant.slug, email, "my own new password")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    # Following the e-mailed link proved the address, and the name is the person's own.
    assert me["user"]["email_verified"] is True and me["user"]["full_name"] == "Petro Ivanovych"
    # One time only.
    again = {**accept, "password": "a takeover password"}
    assert client.post("/api/v1/invitations/accept", json=again).status_code == 404
    bad = {**accept, "token": "nope"}
    assert client.post("/api/v1/invitations/accept", json=bad).status_code == 404


def test_a_pending_member_cannot_log_in(client, tenant):
    email = f"pending-{tenant.slug}@example.com"
    assert _add(client, tenant, email).status_code == 201
    r = client.post("/api/v1/auth/login", json={
        "tenant": tenant.slug, "email": email, "password": "anything at all 1"})
    assert r.status_code == 401


def test_an_admin_cannot_set_a_persons_password(client, tenant):
    r = _add(client, tenant, f"pw-{tenant.slug}@example.com", password="admin chosen pass")
    assert r.status_code == 422 and "password" in r.text


def test_resending_an_invitation_replaces_the_link(client, tenant, inbox):
    email = f"resend-{tenant.slug}@example.com"
    member = _add(client, tenant, email).json()
    first = inbox.wait_for(email)
    r = client.post(f"/api/v1/members/{member['id']}/invitation", headers=tenant.headers)
    assert r.status_code == 202
    second = inbox.wait_for(email, count=2)
    assert first.token != second.token
    old = {"tenant": tenant.slug, "token": first.token, "password": "my own new password"}
    assert client.post("/api/v1/invitations/accept", json=old).status_code == 404
    new = {**old, "token": second.token}
    assert client.post("/api/v1/invitations/accept", json=new).status_code == 200
    r = client.post(f"/api/v1/members/{member['id']}/invitation", headers=tenant.headers)
    assert r.status_code == 409


def test_only_owner_and_admin_manage_members(client, tenant):
    for role in ("member", "viewer"):
        token = member_token(client, tenant, f"{role}-{tenant.slug}@example.com", role=role)
        headers = {"Authorization": f"Bearer {token}"}
        r = client.post(
            "/api/v1/members",
            json={"email": "x@example.com", "role": "member", "full_name": "X"},
            headers=headers,
        )
        assert r.status_code == 403
        owner_id = client.get("/api/v1/members", headers=headers).json()["items"][0]["id"]
        r = client.patch(f"/api/v1/members/{owner_id}", json={"role": "viewer"}, headers=headers)
        assert r.status_code == 403
        assert client.delete(f"/api/v1/members/{owner_id}", headers=headers).status_code == 403
        r = client.post(f"/api/v1/members/{owner_id}/invitation", headers=headers)
        assert r.status_code == 403


def test_admin_cannot_create_or_touch_owners(client, tenant):
    token = member_token(client, tenant, f"admin-{tenant.slug}@example.com", role="admin")
    headers = {"Authorization": f"Bearer {token}"}
    r = client.post(
        "/api/v1/members",
        json={"email": "o2@example.com", "role": "owner", "full_name": "O"},
        headers=headers,
    )
    assert r.status_code == 403
    owner = next(
        m
        for m in client.get("/api/v1/members", headers=headers).json()["items"]
        if m["role"] == "owner"
    )
    assert client.delete(f"/api/v1/members/{owner['id']}", headers=headers).status_code == 403


def test_last_owner_cannot_be_removed_or_demoted(client, tenant):
    me = client.get("/api/v1/members", headers=tenant.headers).json()["items"][0]
    r = client.patch(f"/api/v1/members/{me['id']}", json={"role": "admin"}, headers=tenant.headers)
    assert r.status_code == 409
    assert client.delete(f"/api/v1/members/{me['id']}", headers=tenant.headers).status_code == 409
    # A pending owner does not count: they have not accepted yet.
    _add(client, tenant, f"later-{tenant.slug}@example.com", role="owner")
    r = client.patch(f"/api/v1/members/{me['id']}", json={"role": "admin"}, headers=tenant.headers)
    assert r.status_code == 409
    # With a second owner who accepted, demotion works.
    second = add_member(client, tenant, f"co-{tenant.slug}@example.com", role="owner")
    r = client.patch(f"/api/v1/members/{me['id']}", json={"role": "admin"}, headers=tenant.headers)
    assert r.status_code == 200 and r.json()["role"] == "admin"
    assert second["role"] == "owner"


def test_removed_member_token_stops_working(client, tenant):
    email = f"gone-{tenant.slug}@example.com"
    token = member_token(client, tenant, email)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    member = next(m for m in client.get("/api/v1/members", headers=tenant.headers).json()["items"]
                  if m["email"] == email)
    assert (
        client.delete(f"/api/v1/members/{member['id']}", headers=tenant.headers).status_code == 204
    )
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_member_input_errors(client, tenant):
    assert _add(client, tenant, "not-an-email").status_code == 422
    r = _add(client, tenant, "valid@example.com", role="emperor")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "role"
    assert _add(client, tenant, tenant.owner_email).status_code == 409
    missing = "00000000-0000-7000-8000-000000000000"
    assert (
        client.patch(
            f"/api/v1/members/{missing}", json={"role": "viewer"}, headers=tenant.headers
        ).status_code
        == 404
    )
