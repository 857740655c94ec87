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


def test_existing_user_cannot_be_claimed_by_a_new_signup(client):
    first = sign_up(client)
    r = client.post(
        "/api/v1/signup",
        json=_payload(unique("thief"), password="attacker chosen pass", email=first.owner_email),
    )
    assert r.status_code == 409
    # And the victim's password still works.
    assert login(client, first.slug, first.owner_email, first.owner_password)


def test_existing_user_with_their_password_gets_a_second_tenant(client):
    first = sign_up(client)
    slug = unique("second")
    r = client.post(
        "/api/v1/signup",
        json=_payload(slug, password=first.owner_password, email=first.owner_email),
    )
    assert r.status_code == 201
    # One user, two tenants: they pick one at login.
    assert login(client, slug, first.owner_email, first.owner_password)
    assert login(client, first.slug, first.owner_email, first.owner_password)


def test_failed_signup_leaves_nothing(client, database):
    slug = unique("half")
    r = client.post("/api/v1/signup", json=_payload(slug, password="tiny"))
    assert r.status_code == 422
    with database.connect_superuser() as conn:
        assert (
            conn.execute("SELECT count(*) FROM tenants WHERE slug = %s", (slug,)).fetchone()[0] == 0
        )
