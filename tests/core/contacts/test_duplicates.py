"""Creating a person the tenant already knows answers 409 with the candidates: by email, by
phone, or by a nearly matching name on the same birthday."""

from __future__ import annotations

import uuid
from datetime import date

from rapport.core.contacts import duplicates
from tests.conftest import sign_up
from tests.core.contacts.support import CONTACTS, compiled, explain, make


def _create(client, t, body, **params):
    return client.post(CONTACTS, params=params, json=body, headers=t.headers)


def test_known_email_or_phone_is_409_with_candidates(client):
    t = sign_up(client)
    first = make(client, t, given_name="Olha", family_name="Koval",
                 emails=["olha@example.com", "koval@work.example"], phones=["+380671112233"])
    r = _create(client, t, {"given_name": "O.", "email": "KOVAL@work.example"})
    assert r.status_code == 409
    [candidate] = r.json()["candidates"]
    assert candidate == {"id": first["id"], "display_name": "Olha Koval",
                         "email": "olha@example.com", "reason": "email", "score": 1.0}
    r = _create(client, t, {"given_name": "Someone", "phones": ["+380 67 111 22 33"]})
    assert r.status_code == 409 and r.json()["candidates"][0]["reason"] == "phone"
    # A shared landline is fine when the caller says so; a shared email never is.
    assert _create(client, t, {"given_name": "Petro", "phones": ["+380671112233"]},
                   allow_duplicate="true").status_code == 201
    assert _create(client, t, {"given_name": "X", "email": "olha@example.com"},
                   allow_duplicate="true").status_code == 409


def test_near_name_on_the_same_birthday_is_a_candidate(client):
    t = sign_up(client)
    first = make(client, t, given_name="Taras", patronymic="Hryhorovych",
                 family_name="Shevchenko", birthday="1984-03-09")
    r = _create(client, t, {"given_name": "Taras", "family_name": "Shevchenka",
                            "birthday": "1984-03-09"})
    assert r.status_code == 409, r.text
    [candidate] = r.json()["candidates"]
    assert candidate["id"] == first["id"] and candidate["reason"] == "name_birthday"
    assert 0.5 <= candidate["score"] < 1
    # The same name on another day, or another name on the same day, is somebody else.
    assert _create(client, t, {"given_name": "Taras", "family_name": "Shevchenko",
                               "birthday": "1984-03-10"}).status_code == 201
    assert _create(client, t, {"given_name": "Maria", "family_name": "Zankovetska",
                               "birthday": "1984-03-09"}).status_code == 201


def test_candidates_never_come_from_another_tenant(client):
    a, b = sign_up(client), sign_up(client)
    make(client, a, given_name="Iryna", email="iryna@example.com", phones=["+442079460958"],
         birthday="1970-01-01")
    for body in ({"given_name": "Iryna", "email": "iryna@example.com"},
                 {"given_name": "Iryna", "phones": ["+442079460958"]},
                 {"given_name": "Iryna", "birthday": "1970-01-01"}):
        assert _create(client, b, body).status_code == 201


def test_duplicates_endpoint_checks_without_creating(client):
    t = sign_up(client)
    known = make(client, t, given_name="Ann", email="ann@example.com")
    r = client.post(f"{CONTACTS}/duplicates", json={"email": "ann@example.com"},
                    headers=t.headers)
    assert r.status_code == 200 and [c["id"] for c in r.json()["candidates"]] == [known["id"]]
    r = client.post(f"{CONTACTS}/duplicates", json={"email": "new@example.com"},
                    headers=t.headers)
    assert r.json() == {"candidates": []}


def _bulk(database, tenant_id: str, rows: int = 20_000) -> None:
    """Contacts with birthdays, addresses and numbers, written in SQL in the tenant's context
    (forced RLS binds the owner too), analysed so the planner sees real sizes."""
    with database.connect_owner() as conn, conn.transaction():
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant_id,))
        conn.execute(
            "INSERT INTO contacts (tenant_id, id, given_name, birthday) "
            "SELECT %s, gen_random_uuid(), 'P' || g, date '1940-01-01' + g "
            "FROM generate_series(1, %s) g", (tenant_id, rows))
        conn.execute(
            "INSERT INTO contact_emails (tenant_id, id, contact_id, address, address_key) "
            "SELECT tenant_id, gen_random_uuid(), id, given_name || '@example.com', "
            "lower(given_name) || '@example.com' FROM contacts WHERE tenant_id = %s",
            (tenant_id,))
        conn.execute(
            "INSERT INTO contact_phones (tenant_id, id, contact_id, number) "
            "SELECT tenant_id, gen_random_uuid(), id, '+3806' || lpad(substr(given_name, 2), 8, '0') "
            "FROM contacts WHERE tenant_id = %s", (tenant_id,))
    with database.connect_owner() as conn:
        for table in ("contacts", "contact_emails", "contact_phones"):
            conn.execute(f"ANALYZE {table}")


def test_each_duplicate_check_is_an_index_condition_for_the_app_role(client, database):
    """Email keys, phone numbers and birthdays are compared with leakproof operators, so
    under forced RLS each check is an index look-up, not a scan of the tenant."""
    t = sign_up(client)
    _bulk(database, t.id)
    tenant = uuid.UUID(t.id)
    name = duplicates.PersonName("P1234", None, None)
    r = client.post(f"{CONTACTS}/duplicates", json={"given_name": "P1234",
                                                    "birthday": "1943-05-19"},
                    headers=t.headers)
    assert [c["reason"] for c in r.json()["candidates"]] == ["name_birthday"]
    for statement, column in (
        (duplicates.by_email(tenant, ["p1234@example.com"]), "address_key"),
        (duplicates.by_phone(tenant, ["+380600001234"]), "(number)"),
        (duplicates.by_name_and_birthday(tenant, name, date(1943, 5, 19)), "birthday"),
    ):
        sql, params = compiled(statement)
        plan = explain(database, t.id, sql, params)
        conditions = [line for line in plan.splitlines() if "Index Cond" in line]
        assert any(column in line for line in conditions), plan
        assert "Seq Scan" not in plan, plan
