"""The cross-tenant suite's accounts section: what one tenant (or an anonymous caller) tried
against people's accounts in the attack run of issue 9, each now failing to succeed.

Two tenants, A and B, and people who belong to one, both, or are only invited."""

from __future__ import annotations

import threading

from tests.conftest import add_member, login, member_token, sign_up, unique


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _login_status(client, slug: str, email: str, password: str) -> int:
    r = client.post("/api/v1/auth/login", json={"tenant": slug, "email": email, "password": password})
    client.cookies.clear()
    return r.status_code


# --- invitations -------------------------------------------------------------------------


def test_tenant_b_cannot_hijack_a_hire_pending_in_tenant_a(client, tenant, other_tenant, inbox):
    """Item 1: A invites hire@ as admin; B invites the same address and used to receive its
    own link, set the person's global password and log in to A as admin."""
    hire = f"hire-{unique()}@corp.example.com"
    r = client.post("/api/v1/members", headers=tenant.headers,
                    json={"email": hire, "role": "admin", "full_name": "Hire"})
    assert r.status_code == 201
    r = client.post("/api/v1/members", headers=other_tenant.headers,
                    json={"email": hire, "role": "viewer", "full_name": "Hire"})
    assert r.status_code == 201
    # B never sees a link: it goes to the person's mailbox only.
    assert "invitation_url" not in r.json() and "token" not in r.text
    # Whatever B guesses as a token in its own tenant gets nowhere.
    guess = {"tenant": other_tenant.slug, "token": "x" * 43, "password": "b sets a password"}
    assert client.post("/api/v1/invitations/accept", json=guess).status_code == 404
    # The real hire follows A's link and sets the first password.
    a_letter = next(m for m in inbox.sent_to(hire) if tenant.slug in m.text)
    r = client.post("/api/v1/invitations/accept", json={
        "tenant": tenant.slug, "token": a_letter.token, "password": "the hire's own password"})
    assert r.status_code == 200
    # B's link (also in the hire's mailbox) cannot set a second password: it asks for theirs.
    b_letter = next(m for m in inbox.sent_to(hire) if other_tenant.slug in m.text)
    r = client.post("/api/v1/invitations/accept", json={
        "tenant": other_tenant.slug, "token": b_letter.token, "password": "b sets a password"})
    assert r.status_code == 401
    assert _login_status(client, tenant.slug, hire, "b sets a password") == 401
    assert _login_status(client, tenant.slug, hire, "the hire's own password") == 200


def test_only_one_acceptance_ever_sets_a_first_password(client, tenant, other_tenant, inbox):
    """Two links followed at the same moment: exactly one sets the password."""
    person = f"race-{unique()}@corp.example.com"
    for t in (tenant, other_tenant):
        assert client.post("/api/v1/members", headers=t.headers,
                           json={"email": person, "role": "member"}).status_code == 201
    letters = {t.slug: next(m for m in inbox.sent_to(person) if t.slug in m.text)
               for t in (tenant, other_tenant)}
    statuses: dict[str, int] = {}

    def accept(slug: str, password: str) -> None:
        r = client.post("/api/v1/invitations/accept", json={
            "tenant": slug, "token": letters[slug].token, "password": password})
        statuses[slug] = r.status_code

    threads = [threading.Thread(target=accept, args=(tenant.slug, "first password from a")),
               threading.Thread(target=accept, args=(other_tenant.slug, "first password from b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses.values()) == [200, 401]
    winner = next(s for s, code in statuses.items() if code == 200)
    password = "first password from a" if winner == tenant.slug else "first password from b"
    assert _login_status(client, winner, person, password) == 200


def test_adding_an_existing_person_invites_them_and_reveals_nothing(client, tenant, other_tenant):
    """Item 4: an existing address used to come back with the person's name and id, added
    without asking; an unknown one with a 422. Both now answer alike."""
    existing = client.post("/api/v1/members", headers=other_tenant.headers, json={
        "email": tenant.owner_email, "role": "member", "full_name": "Typed by B"})
    unknown = client.post("/api/v1/members", headers=other_tenant.headers, json={
        "email": f"nobody-{unique()}@example.com", "role": "member", "full_name": "Typed by B"})
    assert existing.status_code == unknown.status_code == 201
    for r in (existing, unknown):
        body = r.json()
        assert body["pending"] is True and body["full_name"] == "Typed by B"
        assert set(body) == {"id", "user_id", "email", "full_name", "role", "pending",
                             "created_at"}
    # Without a name, neither answer is a 422 any more.
    r = client.post("/api/v1/members", headers=other_tenant.headers,
                    json={"email": f"noname-{unique()}@example.com", "role": "member"})
    assert r.status_code == 201
    # The existing person is not a member of B until they accept.
    assert _login_status(client, other_tenant.slug, tenant.owner_email,
                         tenant.owner_password) == 401


# --- sign-up -----------------------------------------------------------------------------


def test_signup_cannot_attach_a_new_tenant_to_someone_elses_account(client, tenant, inbox):
    slug = unique("squat")
    r = client.post("/api/v1/signup", json={
        "organization": {"name": "Squat", "slug": slug},
        "admin": {"email": tenant.owner_email, "password": "attacker password 1",
                  "full_name": "Attacker"}})
    assert r.status_code == 201
    for password in ("attacker password 1", tenant.owner_password):
        assert _login_status(client, slug, tenant.owner_email, password) == 401
    # The person's name and password elsewhere are untouched.
    me = client.get("/api/v1/me", headers=tenant.headers).json()
    assert me["user"]["full_name"] == "Olena Owner"
    assert _login_status(client, tenant.slug, tenant.owner_email, tenant.owner_password) == 200


# --- sessions ----------------------------------------------------------------------------


def test_logout_revokes_the_bearer_token(client, tenant):
    """Item 7: logout used to leave the bearer token working."""
    token = login(client, tenant.slug, tenant.owner_email, tenant.owner_password)
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=_bearer(token)).status_code == 204
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401
    # Other sessions stay.
    assert client.get("/api/v1/me", headers=tenant.headers).status_code == 200


def test_sessions_are_listed_and_ended_one_by_one(client, tenant):
    second = login(client, tenant.slug, tenant.owner_email, tenant.owner_password)
    listed = client.get("/api/v1/auth/sessions", headers=_bearer(second)).json()["items"]
    assert len(listed) >= 2 and sum(s["current"] for s in listed) == 1
    other = next(s for s in listed if not s["current"])
    r = client.delete(f"/api/v1/auth/sessions/{other['id']}", headers=_bearer(second))
    assert r.status_code == 204
    ids = {s["id"] for s in client.get("/api/v1/auth/sessions", headers=_bearer(second)).json()[
        "items"]}
    assert other["id"] not in ids


def test_a_member_cannot_end_another_persons_session(client, tenant):
    member = member_token(client, tenant, f"m-{unique()}@example.com")
    owners = client.get("/api/v1/auth/sessions", headers=tenant.headers).json()["items"]
    target = next(s for s in owners if s["current"])
    r = client.delete(f"/api/v1/auth/sessions/{target['id']}", headers=_bearer(member))
    assert r.status_code == 404
    assert client.get("/api/v1/me", headers=tenant.headers).status_code == 200


def test_sign_out_everywhere_ends_sessions_in_every_tenant(client, tenant, other_tenant):
    add_member(client, other_tenant, tenant.owner_email, password=tenant.owner_password)
    in_b = login(client, other_tenant.slug, tenant.owner_email, tenant.owner_password)
    in_a = login(client, tenant.slug, tenant.owner_email, tenant.owner_password)
    assert client.delete("/api/v1/auth/sessions", headers=_bearer(in_a)).status_code == 204
    for token in (in_a, in_b, tenant.token):
        assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401
    # A new login works at once.
    fresh = login(client, tenant.slug, tenant.owner_email, tenant.owner_password)
    assert client.get("/api/v1/me", headers=_bearer(fresh)).status_code == 200


def test_removal_by_tenant_b_leaves_the_persons_access_to_a(client, tenant, other_tenant):
    add_member(client, other_tenant, tenant.owner_email, password=tenant.owner_password)
    in_b = login(client, other_tenant.slug, tenant.owner_email, tenant.owner_password)
    membership = next(m for m in client.get("/api/v1/members", headers=other_tenant.headers)
                      .json()["items"] if m["email"] == tenant.owner_email)
    r = client.delete(f"/api/v1/members/{membership['id']}", headers=other_tenant.headers)
    assert r.status_code == 204
    assert client.get("/api/v1/me", headers=_bearer(in_b)).status_code == 401
    assert client.get("/api/v1/me", headers=tenant.headers).status_code == 200
    assert _login_status(client, tenant.slug, tenant.owner_email, tenant.owner_password) == 200


# --- passwords ---------------------------------------------------------------------------


def test_password_change_needs_the_current_one_and_ends_every_session(client):
    t = sign_up(client)
    other = login(client, t.slug, t.owner_email, t.owner_password)
    wrong = {"current_password": "not the password", "new_password": "a brand new passphrase"}
    r = client.post("/api/v1/auth/password", json=wrong, headers=t.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "current_password"
    weak = {"current_password": t.owner_password, "new_password": "short"}
    r = client.post("/api/v1/auth/password", json=weak, headers=t.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "new_password"
    ok = {"current_password": t.owner_password, "new_password": "a brand new passphrase"}
    assert client.post("/api/v1/auth/password", json=ok, headers=t.headers).status_code == 204
    for token in (t.token, other):
        assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401
    assert _login_status(client, t.slug, t.owner_email, t.owner_password) == 401
    assert _login_status(client, t.slug, t.owner_email, "a brand new passphrase") == 200


def test_password_reset_answers_alike_for_unknown_addresses(client, tenant, inbox):
    unknown = f"ghost-{unique()}@example.com"
    known = client.post("/api/v1/auth/password-reset", json={"email": tenant.owner_email})
    ghost = client.post("/api/v1/auth/password-reset", json={"email": unknown})
    assert known.status_code == ghost.status_code == 202
    assert known.json() == ghost.json()
    letter = inbox.wait_for(tenant.owner_email, count=2)  # 1: the sign-up's address check
    assert letter.subject == "Reset your Rapport password"
    assert inbox.sent_to(unknown) == []


def test_password_reset_link_is_single_use_and_ends_sessions(client, inbox):
    t = sign_up(client)
    client.post("/api/v1/auth/password-reset", json={"email": t.owner_email})
    letter = inbox.wait_for(t.owner_email, count=2)
    weak = {"token": letter.token, "password": "short"}
    assert client.post("/api/v1/auth/password-reset/confirm", json=weak).status_code == 422
    ok = {"token": letter.token, "password": "chosen after a reset"}
    # The refused password did not use the link up.
    assert client.post("/api/v1/auth/password-reset/confirm", json=ok).status_code == 204
    assert client.get("/api/v1/me", headers=t.headers).status_code == 401
    again = {"token": letter.token, "password": "a takeover password"}
    assert client.post("/api/v1/auth/password-reset/confirm", json=again).status_code == 404
    assert _login_status(client, t.slug, t.owner_email, "chosen after a reset") == 200


def test_only_the_newest_reset_link_works(client, inbox):
    t = sign_up(client)
    client.post("/api/v1/auth/password-reset", json={"email": t.owner_email})
    first = inbox.wait_for(t.owner_email, count=2)
    client.post("/api/v1/auth/password-reset", json={"email": t.owner_email})
    second = inbox.wait_for(t.owner_email, count=3)
    old = {"token": first.token, "password": "chosen after a reset"}
    assert client.post("/api/v1/auth/password-reset/confirm", json=old).status_code == 404
    new = {"token": second.token, "password": "chosen after a reset"}
    assert client.post("/api/v1/auth/password-reset/confirm", json=new).status_code == 204


def test_expired_reset_link_is_refused(client, database, inbox):
    t = sign_up(client)
    client.post("/api/v1/auth/password-reset", json={"email": t.owner_email})
    letter = inbox.wait_for(t.owner_email, count=2)
    with database.connect_superuser() as conn:
        conn.execute(
            "UPDATE account_tokens SET expires_at = now() - interval '1 second' "
            "WHERE user_id = (SELECT id FROM users WHERE email = %s)", (t.owner_email,))
    r = client.post("/api/v1/auth/password-reset/confirm",
                    json={"token": letter.token, "password": "chosen after a reset"})
    assert r.status_code == 404
    assert _login_status(client, t.slug, t.owner_email, t.owner_password) == 200
