"""Members: who may manage them, existing vs new users, invitations, the last owner."""

from tests.conftest import TenantHandle, login


def _add(client, t: TenantHandle, email, role="member", password=None, full_name="Petro Ivanenko"):
    body = {"email": email, "full_name": full_name, "role": role}
    if password:
        body["password"] = password
    return client.post("/api/v1/members", json=body, headers=t.headers)


def _member_token(client, t: TenantHandle, role: str) -> tuple[str, dict]:
    email = f"{role}-{t.slug}@example.com"
    r = _add(client, t, email, role=role, password="member initial pass")
    assert r.status_code == 201, r.text
    token = login(client, t.slug, email, "member initial pass")
    return token, r.json()


def test_owner_lists_and_adds_members(client, tenant):
    r = _add(client, tenant, f"new-{tenant.slug}@example.com", password="initial password 1")
    assert r.status_code == 201
    body = r.json()
    assert body["role"] == "member" and body["pending"] is False and body["invitation_url"] is None
    listed = client.get("/api/v1/members", headers=tenant.headers).json()["items"]
    assert {m["email"] for m in listed} == {tenant.owner_email, body["email"]}
    # The new member can log in with the initial password.
    assert login(client, tenant.slug, body["email"], "initial password 1")


def test_new_member_without_password_gets_a_one_time_invitation(client, tenant):
    email = f"invitee-{tenant.slug}@example.com"
    r = _add(client, tenant, email)
    assert r.status_code == 201
    link = r.json()["invitation_url"]
    assert r.json()["pending"] is True and link.startswith("http://testserver/invite?")
    token = link.split("token=")[1]
    accept = {"tenant": tenant.slug, "token": token, "password": "my own new password"}
    assert client.post("/api/v1/invitations/accept", json=accept).status_code == 200
    assert login(client, tenant.slug, email, "my own new password")
    # One time only.
    again = {**accept, "password": "a takeover password"}
    assert client.post("/api/v1/invitations/accept", json=again).status_code == 404
    bad = {**accept, "token": "nope"}
    assert client.post("/api/v1/invitations/accept", json=bad).status_code == 404


def test_adding_an_existing_user_never_touches_their_password(client, tenant, other_tenant):
    r = _add(client, other_tenant, tenant.owner_email, password="attacker sets this one")
    assert r.status_code == 201
    assert r.json()["invitation_url"] is None
    # Their own password still works, in both tenants; the attacker's does not.
    assert login(client, tenant.slug, tenant.owner_email, tenant.owner_password)
    assert login(client, other_tenant.slug, tenant.owner_email, tenant.owner_password)
    bad = client.post(
        "/api/v1/auth/login",
        json={
            "tenant": other_tenant.slug,
            "email": tenant.owner_email,
            "password": "attacker sets this one",
        },
    )
    assert bad.status_code == 401


def test_only_owner_and_admin_manage_members(client, tenant):
    for role in ("member", "viewer"):
        token, _ = _member_token(client, tenant, role)
        headers = {"Authorization": f"Bearer {token}"}
        r = client.post(
            "/api/v1/members",
            json={"email": "x@example.com", "role": "member", "full_name": "X"},
            headers=headers,
        )
        assert r.status_code == 403
        owner_id = client.get("/api/v1/members", headers=headers).json()["items"][0]["id"]
        assert (
            client.patch(
                f"/api/v1/members/{owner_id}", json={"role": "viewer"}, headers=headers
            ).status_code
            == 403
        )
        assert client.delete(f"/api/v1/members/{owner_id}", headers=headers).status_code == 403


def test_admin_cannot_create_or_touch_owners(client, tenant):
    token, _ = _member_token(client, tenant, "admin")
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
    # With a second owner, demotion works.
    second = _add(
        client, tenant, f"co-{tenant.slug}@example.com", role="owner", password="second owner pass"
    ).json()
    r = client.patch(f"/api/v1/members/{me['id']}", json={"role": "admin"}, headers=tenant.headers)
    assert r.status_code == 200 and r.json()["role"] == "admin"
    assert second["role"] == "owner"


def test_removed_member_token_stops_working(client, tenant):
    token, member = _member_token(client, tenant, "member")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert (
        client.delete(f"/api/v1/members/{member['id']}", headers=tenant.headers).status_code == 204
    )
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_member_input_errors(client, tenant):
    assert _add(client, tenant, "not-an-email").status_code == 422
    r = _add(client, tenant, "valid@example.com", role="emperor")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "role"
    r = _add(client, tenant, "weak@example.com", password="123")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "password"
    assert _add(client, tenant, tenant.owner_email).status_code == 409
    missing = "00000000-0000-7000-8000-000000000000"
    assert (
        client.patch(
            f"/api/v1/members/{missing}", json={"role": "viewer"}, headers=tenant.headers
        ).status_code
        == 404
    )
