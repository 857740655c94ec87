"""``q=`` finds people by names, emails, phone numbers (or parts of them) and organization
names, tolerates typos, stays in the tenant, and is served by the term index under RLS."""

# Cyrillic names and typographic apostrophes are what these tests are about.
# ruff: noqa: RUF001, RUF003

from __future__ import annotations

import uuid

import pytest

from rapport.core.contacts.listing import list_statement
from rapport.core.contacts.search.query import SearchPlan, TokenMatch, spellings_statement
from rapport.core.contacts.search.terms import Token, TokenKind
from tests.conftest import sign_up
from tests.core.contacts.support import CONTACTS, compiled, explain, make


def _names(client, t, q, **params):
    r = client.get(CONTACTS, params={"q": q, **params}, headers=t.headers)
    assert r.status_code == 200, r.text
    return sorted(c["display_name"] for c in r.json()["items"])


@pytest.fixture(scope="module")
def people(client):
    t = sign_up(client)
    taras = make(client, t, given_name="Taras", family_name="Shevchenko",
                 email="taras@kobzar.example", phones=["+380671234567"])
    make(client, t, given_name="Lesya", family_name="Ukrainka", email="lesya@example.com",
         phones=["+44 20 7946 0958"])
    make(client, t, given_name="Ivan", family_name="Franko")
    make(client, t, given_name="Григорій", family_name="Сковорода")
    make(client, t, given_name="Zoë", family_name="O’Brien")
    org = client.post("/api/v1/organizations", json={"name": "Kyiv Mohyla Academy"},
                      headers=t.headers).json()
    r = client.post(f"{CONTACTS}/{taras['id']}/organizations",
                    json={"organization_id": org["id"], "role": "student"}, headers=t.headers)
    assert r.status_code == 201, r.text
    return t


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("shev", ["Taras Shevchenko"]),
        ("Shevchneko", ["Taras Shevchenko"]),  # typo
        ("taras shevchenko", ["Taras Shevchenko"]),
        ("taras franko", []),  # every word must match
        ("kobzar", ["Taras Shevchenko"]),  # email domain
        ("taras@kob", ["Taras Shevchenko"]),  # email prefix
        ("+380 67", ["Taras Shevchenko"]),  # number prefix
        ("067 123 45", ["Taras Shevchenko"]),  # national form, trunk 0
        ("4567", ["Taras Shevchenko"]),  # the last digits
        ("7946 0958", ["Lesya Ukrainka"]),
        ("020 7946", ["Lesya Ukrainka"]),
        ("mohyla", ["Taras Shevchenko"]),  # organization name
        ("сковорода", ["Григорій Сковорода"]),
        ("СКОВАРОДА", ["Григорій Сковорода"]),  # typo, other case
        ("григорий", ["Григорій Сковорода"]),  # і/и folded by the typo match
        ("zoe obrien", ["Zoë O’Brien"]),  # accents and apostrophes folded
        ("nobody", []),
    ],
)
def test_q_finds_by_name_email_phone_and_organization(client, people, q, found):
    assert _names(client, people, q) == found


def test_search_stays_in_the_tenant(client, people):
    other = sign_up(client)
    make(client, other, given_name="Taras", family_name="Bulba")
    assert _names(client, other, "shevchenko") == []
    assert _names(client, other, "taras") == ["Taras Bulba"]
    assert _names(client, people, "bulba") == []


def test_search_follows_edits_and_renames(client):
    t = sign_up(client)
    c = make(client, t, given_name="Olena", family_name="Pchilka")
    client.patch(f"{CONTACTS}/{c['id']}", json={"family_name": "Kosach"}, headers=t.headers)
    assert _names(client, t, "pchilka") == [] and _names(client, t, "kosach") == ["Olena Kosach"]
    org = client.post("/api/v1/organizations", json={"name": "Prosvita"}, headers=t.headers).json()
    client.post(f"{CONTACTS}/{c['id']}/organizations", json={"organization_id": org["id"]},
                headers=t.headers)
    assert _names(client, t, "prosvita") == ["Olena Kosach"]
    client.patch(f"/api/v1/organizations/{org['id']}", json={"name": "Ridna Khata"},
                 headers=t.headers)
    assert _names(client, t, "prosvita") == [] and _names(client, t, "khata") == ["Olena Kosach"]
    client.delete(f"{CONTACTS}/{c['id']}", headers=t.headers)
    assert _names(client, t, "kosach") == []


def test_search_pages_with_cursor_and_combines_with_filters(client):
    t = sign_up(client)
    for i in range(5):
        make(client, t, given_name=f"P{i}", family_name="Petrenko", tags=["vip"] if i % 2 else [])
    first = client.get(CONTACTS, params={"q": "petrenko", "limit": 2}, headers=t.headers).json()
    second = client.get(CONTACTS, params={"q": "petrenko", "limit": 2,
                                          "cursor": first["next_cursor"]},
                        headers=t.headers).json()
    third = client.get(CONTACTS, params={"q": "petrenko", "limit": 2,
                                         "cursor": second["next_cursor"]},
                       headers=t.headers).json()
    names = [c["given_name"] for page in (first, second, third) for c in page["items"]]
    assert names == ["P4", "P3", "P2", "P1", "P0"] and third["next_cursor"] is None
    assert _names(client, t, "petrenko", filter="tags:eq:vip") == ["P1 Petrenko", "P3 Petrenko"]


def test_bad_queries_are_400_naming_q(client, tenant):
    r = client.get(CONTACTS, params={"q": " ".join(f"w{i}" for i in range(9))},
                   headers=tenant.headers)
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "q"
    r = client.get(CONTACTS, params={"q": "x" * 201}, headers=tenant.headers)
    assert r.status_code in (400, 422)


ROWS = 20_000


def _bulk(database, tenant_id: str) -> None:
    """ROWS contacts with their terms and vocabulary, written in SQL in the tenant's context
    (forced RLS binds the owner too), then analysed so the planner sees real sizes."""
    with database.connect_owner() as conn, conn.transaction():
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant_id,))
        conn.execute(
            "INSERT INTO contacts (tenant_id, id, given_name, family_name, display_name) "
            "SELECT %s, gen_random_uuid(), 'given' || g, 'family' || g, 'x' "
            "FROM generate_series(1, %s) g", (tenant_id, ROWS))
        conn.execute(
            "INSERT INTO contact_search_terms (tenant_id, id, term) "
            "SELECT tenant_id, id, lower(given_name) FROM contacts WHERE tenant_id = %s "
            "UNION ALL SELECT tenant_id, id, lower(family_name) FROM contacts "
            "WHERE tenant_id = %s", (tenant_id, tenant_id))
        conn.execute(
            "INSERT INTO contact_search_words (tenant_id, id, word) SELECT DISTINCT tenant_id, "
            "gen_random_uuid(), term FROM contact_search_terms WHERE tenant_id = %s",
            (tenant_id,))
        conn.execute(
            "INSERT INTO contact_search_variants (tenant_id, variant, id) "
            "SELECT DISTINCT w.tenant_id, CASE WHEN n = 0 THEN w.word "
            "ELSE overlay(w.word PLACING '' FROM n FOR 1) END, w.id "
            "FROM contact_search_words w, generate_series(0, 12) n "
            "WHERE w.tenant_id = %s AND n <= length(w.word)", (tenant_id,))
    with database.connect_owner() as conn:
        for table in ("contacts", "contact_search_terms", "contact_search_words",
                      "contact_search_variants"):
            conn.execute(f"ANALYZE {table}")


def test_search_conditions_are_index_conditions_for_the_app_role(client, database):
    """Under forced RLS only LEAKPROOF operators become index conditions; the term ranges
    and the spelling look-up must be among them, or every search scans the tenant."""
    t = sign_up(client)
    _bulk(database, t.id)
    # The exact word, the ten it prefixes, and the closest spellings — not the 20k others.
    found = _names(client, t, "family1234")
    assert "given1234 family1234" in found and len(found) <= 25
    assert "given12345 family12345" in _names(client, t, "famly12345")
    tenant = uuid.UUID(t.id)
    plan = SearchPlan((
        TokenMatch(Token(TokenKind.WORD, "given123"), ("giver123",)),
        TokenMatch(Token(TokenKind.PHONE, "0671234"), ()),
    ))
    query, _ = list_statement(tenant, [], search_plan=plan)
    sql, params = compiled(query)
    text = explain(database, t.id, sql, params)
    assert "ix_contact_search_terms_tenant_id_term_id" in text, text
    assert "Seq Scan" not in text, text
    conditions = [line for line in text.splitlines() if "Index Cond" in line and "term" in line]
    assert conditions, text
    sql, params = compiled(spellings_statement(tenant, "family1234"))
    text = explain(database, t.id, sql, params)
    assert "Index Cond: ((tenant_id = " in text and "variant = ANY" in text, text
