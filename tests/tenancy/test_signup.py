"""Organizations sign up through the public API."""

from tests.conftest import login, sign_up, unique


def _payload(slug: str, password: str = "a long enough password", email: str | None = None):
    return {
        "organization": {"name": "Clinic Sonechko", "slug": slug},
        "admin": {
            "email": email or f"admin@{slug}.example.com",
            "password": password,
            "full_name": "Oksana Petrivna",
        },
    }


def test_signup_returns_tenant_and_user(client):
    slug = unique("clinic")
    r = client.post("/api/v1/signup", json=_payload(slug))
    assert r.status_code == 201
    body = r.json()
    assert body["tenant"]["slug"] == slug
    assert body["tenant"]["name"] == "Clinic Sonechko"
    assert body["user"]["email"] == f"admin@{slug}.example.com"
    assert set(body["tenant"]) == {"id", "slug", "name"}


def test_duplicate_slug_is_409(client):
    slug = unique("dup")
    assert client.post("/api/v1/signup", json=_payload(slug)).status_code == 201
    r = client.post("/api/v1/signup", json=_payload(slug, email="other@example.com"))
    assert r.status_code == 409
    assert "taken" in r.json()["detail"]


def test_slug_rules(client):
    for bad in (
        "ab",
        "Upper-case",
        "has_underscore",
        "-edge",
        "edge-",
        "a" * 41,
        "admin",
        "api",
        "www",
    ):
        r = client.post("/api/v1/signup", json=_payload(bad))
        assert r.status_code == 422, bad
        assert r.json()["errors"][0]["field"] == "organization.slug"


def test_weak_passwords_are_refused(client):
    for weak in ("short", "password123", "qwertyuiop"):
        r = client.post("/api/v1/signup", json=_payload(unique("weak"), password=weak))
        assert r.status_code == 422, weak
        assert r.json()["errors"][0]["field"] == "admin.password"


def test_long_passphrase_is_allowed(client):
    passphrase = "x" * 5 + " correct horse battery staple " * 4
    assert len(passphrase) >= 64
    slug = unique("long")
    assert (
        client.post("/api/v1/signup", json=_payload(slug, password=passphrase)).status_code == 201
    )
    assert login(client, slug, f"admin@{slug}.example.com", passphrase)


def test_signup_with_an_existing_email_is_not_a_password_oracle(client):
    """Attack (issue 9, item 2): sign-up answered 409 for a wrong password and 201 for the
    right one. Now a wrong and a right password get the same answer, and neither logs in."""
    victim = sign_up(client)
    answers = []
    for password in ("attacker guess one", victim.owner_password):
        slug = unique("oracle")
        r = client.post("/api/v1/signup", json=_payload(slug, password, victim.owner_email))
        answers.append((r.status_code, set(r.json()), set(r.json()["user"])))
        # The new organization is not the attacker's: nobody can log in to it yet.
        r = client.post("/api/v1/auth/login", json={
            "tenant": slug, "email": victim.owner_email, "password": password})
        assert r.status_code == 401
    assert answers[0] == answers[1] == (201, {"tenant", "user"}, {"id", "email"})
    # And the victim's password still works where it did.
    assert login(client, victim.slug, victim.owner_email, victim.owner_password)


def test_signup_does_not_say_an_account_exists(client):
    victim = sign_up(client)
    r = client.post(
        "/api/v1/signup",
        json=_payload(unique("probe"), "attacker chosen pass", victim.owner_email.upper()),
    )
    assert r.status_code == 201 and "exist" not in r.text


def test_existing_person_confirms_a_second_organization_by_email(client, inbox):
    first = sign_up(client)
    slug = unique("second")
    r = client.post("/api/v1/signup", json=_payload(slug, "whatever was typed", first.owner_email))
    assert r.status_code == 201
    letter = inbox.wait_for(first.owner_email, count=2)  # 1: address check at first sign-up
    assert "already has a Rapport account" in letter.text
    wrong = {"tenant": slug, "token": letter.token, "password": "not my password at all"}
    assert client.post("/api/v1/invitations/accept", json=wrong).status_code == 401
    ok = {**wrong, "password": first.owner_password}
    assert client.post("/api/v1/invitations/accept", json=ok).status_code == 200
    # One user, two tenants: they pick one at login, with the password they always had.
    assert login(client, slug, first.owner_email, first.owner_password)
    assert login(client, first.slug, first.owner_email, first.owner_password)


def test_new_signup_gets_an_address_confirmation(client, inbox):
    slug = unique("verify")
    email = f"admin@{slug}.example.com"
    assert client.post("/api/v1/signup", json=_payload(slug, email=email)).status_code == 201
    token = login(client, slug, email, "a long enough password")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).json()["user"]["email_verified"] is False
    letter = inbox.wait_for(email)
    r = client.post("/api/v1/auth/verify-email", json={"token": letter.token})
    assert r.status_code == 204
    assert client.get("/api/v1/me", headers=headers).json()["user"]["email_verified"] is True
    # Single use.
    r = client.post("/api/v1/auth/verify-email", json={"token": letter.token})
    assert r.status_code == 404


def test_failed_signup_leaves_nothing(client, database):
    slug = unique("half")
    r = client.post("/api/v1/signup", json=_payload(slug, password="tiny"))
    assert r.status_code == 422
    with database.connect_superuser() as conn:
        assert (
            conn.execute("SELECT count(*) FROM tenants WHERE slug = %s", (slug,)).fetchone()[0] == 0
        )
