"""What an import writes: the same normal forms as the API, custom fields, updates that
change only the cells given, matching by email, facts with provenance ``import``, search
terms, and one audit entry and one ``contacts.imported`` event per batch."""

from __future__ import annotations

from tests.core.imports.support import (
    by_external_id,
    contacts,
    csv_text,
    imported,
    post_csv,
    superuser_count,
)

CONTACTS = "/api/v1/contacts"
VOLATILE = ("id", "created_at", "updated_at")


def _field(client, t, key, field_type, **extra):
    body = {"key": key, "entity": "contact", "type": field_type, "label": key, **extra}
    r = client.post("/api/v1/fields", json=body, headers=t.headers)
    assert r.status_code == 201, r.text


def _stable(contact):
    return {k: v for k, v in contact.items() if k not in VOLATILE}


def test_an_imported_contact_equals_one_created_over_the_api(client, tenant):
    client.put("/api/v1/contacts/settings", json={"phone_region": "UA"}, headers=tenant.headers)
    _field(client, tenant, "shoe_size", "integer")
    _field(client, tenant, "tier", "enum", options=["gold", "silver"])
    _field(client, tenant, "hobbies", "multi_enum", options=["chess", "poetry", "rowing"])
    _field(client, tenant, "vip", "boolean")
    _field(client, tenant, "credit", "money")
    _field(client, tenant, "since", "date")
    values = dict(
        honorific="Dr", given_name=" Taras ", patronymic="Hryhorovych",
        family_name="Шевченко", preferred_name="Tarasyk", email="T.Shevchenko@Example.COM",
        emails=["taras@home.example"], phones=["067 123 45 67", "+44 20 7946 0958"],
        birthday="1990-03-09", language="uk-ua", tags=["VIP", " poet ", "vip"],
        addresses=[{"kind": "home", "city": "Kyiv", "country": "ua"}], source="Book fair",
        external_id="crm-1",
        fields={"custom.shoe_size": 44, "custom.tier": "gold",
                "custom.hobbies": ["rowing", "chess"], "custom.vip": True,
                "custom.credit": {"amount": "12.5", "currency": "eur"},
                "custom.since": "2020-01-31"},
    )
    r = client.post(CONTACTS, params={"allow_duplicate": "true"}, json=values,
                    headers=tenant.headers)
    assert r.status_code == 201, r.text
    api = r.json()
    client.delete(f"{CONTACTS}/{api['id']}", headers=tenant.headers)
    header = ["external_id", "honorific", "given_name", "patronymic", "family_name",
              "preferred_name", "email", "emails", "phones", "birthday", "language", "tags",
              "addresses", "source", "fields.custom.shoe_size", "fields.custom.tier",
              "fields.custom.hobbies", "fields.custom.vip", "fields.custom.credit",
              "fields.custom.since"]
    row = ["crm-1", "Dr", " Taras ", "Hryhorovych", "Шевченко", "Tarasyk",
           "T.Shevchenko@Example.COM", "taras@home.example", "067 123 45 67;+44 20 7946 0958",
           "1990-03-09", "uk-ua", "VIP; poet ;vip", '[{"kind": "home", "city": "Kyiv", '
           '"country": "ua"}]', "Book fair", "44", "gold", "rowing;chess", "yes", "12.5 eur",
           "2020-01-31"]
    imported(client, tenant, csv_text(header, row))
    [mine] = contacts(client, tenant)
    assert _stable(mine) == _stable(api)


def test_bad_custom_values_name_their_column(client, tenant):
    _field(client, tenant, "shoe_size", "integer")
    _field(client, tenant, "tier", "enum", options=["gold"], required=True)
    body = csv_text(["external_id", "given_name", "fields.custom.shoe_size",
                     "fields.custom.tier"],
                    ["a-1", "Anna", "forty", "gold"],
                    ["a-2", "Bohdan", "41", "bronze"],
                    ["a-3", "Cyril", "42", ""])
    r = post_csv(client, tenant, body, dry_run="true")
    errors = {(e["row"], e["column"]): e["message"] for e in r.json()["errors"]}
    assert errors == {
        (2, "fields.custom.shoe_size"): "must be an integer",
        (3, "fields.custom.tier"): "must be one of: gold",
        (4, "fields.custom.tier"): "is required",
    }


def test_updates_change_only_the_cells_given(client, tenant):
    imported(client, tenant, csv_text(
        ["external_id", "given_name", "family_name", "email", "emails", "phones", "tags"],
        ["a-1", "Anna", "Kovalenko", "anna@x.example", "old@x.example", "+380671234567",
         "vip"],
    ))
    imported(client, tenant, csv_text(
        ["external_id", "given_name", "family_name", "email", "phones", "tags"],
        ["a-1", "", "Petrenko", "old@x.example", "+380501234567", ""],
    ))
    anna = by_external_id(client, tenant)["a-1"]
    assert (anna["given_name"], anna["family_name"]) == ("Anna", "Petrenko")
    assert anna["display_name"] == "Anna Petrenko"
    # ``email`` alone makes that address the primary one and keeps the others.
    assert anna["email"] == "old@x.example"
    assert [(e["address"], e["primary"]) for e in anna["emails"]] == [
        ("old@x.example", True), ("anna@x.example", False)]
    assert [p["number"] for p in anna["phones"]] == ["+380501234567"]  # a list is replaced
    assert anna["tags"] == ["vip"]  # an empty cell leaves it
    found = client.get(CONTACTS, params={"q": "petrenko"}, headers=tenant.headers).json()
    assert [c["external_id"] for c in found["items"]] == ["a-1"]
    gone = client.get(CONTACTS, params={"q": "kovalenko"}, headers=tenant.headers).json()
    assert gone["items"] == []


def test_matching_by_email_updates_and_creates_nothing(client, tenant):
    r = client.post(CONTACTS, json={"given_name": "Olha", "emails": ["olha@x.example",
                                                                       "o.k@work.example"]},
                    headers=tenant.headers)
    assert r.status_code == 201
    body = csv_text(["email", "family_name", "external_id"],
                    ["O.K@work.example", "Kobylianska", "crm-9"],
                    ["new@x.example", "Newcomer", ""])
    first = imported(client, tenant, body, key="email")
    assert (first["created"], first["updated"]) == (1, 1)
    second = imported(client, tenant, body, key="email")
    assert (second["created"], second["updated"]) == (0, 2)
    olha = client.get(f"{CONTACTS}/{r.json()['id']}", headers=tenant.headers).json()
    assert (olha["family_name"], olha["external_id"]) == ("Kobylianska", "crm-9")
    assert len(contacts(client, tenant)) == 2


def test_facts_name_the_import_as_their_source(client, tenant):
    summary = imported(client, tenant, csv_text(
        ["external_id", "given_name", "phones"], ["a-1", "Ira", "+380671234567"]),
        name="fair.csv")
    [ira] = contacts(client, tenant)
    r = client.get(f"{CONTACTS}/{ira['id']}/facts", headers=tenant.headers)
    facts = {f["field"]: f for f in r.json()["fields"]}
    assert set(facts) == {"external_id", "given_name", "phones"}
    [learned] = facts["phones"]["history"]
    assert learned["value"] == ["+380671234567"] and learned["channel"] == "import"
    assert learned["source"] == f"import {summary['id']}: fair.csv"
    assert learned["recorded_by_name"] == "Olena Owner"


def test_imported_contacts_are_found_by_search(client, tenant):
    imported(client, tenant, csv_text(
        ["external_id", "given_name", "family_name", "email", "phones"],
        ["a-1", "Григорій", "Сковорода", "g.skovoroda@filosof.example", "+380671234567"],
        ["a-2", "Zoë", "O'Brien", "", ""],
    ))
    def found(q):
        r = client.get(CONTACTS, params={"q": q}, headers=tenant.headers)
        return [c["external_id"] for c in r.json()["items"]]
    assert found("сковор") == ["a-1"]
    assert found("СКОВАРОДА") == ["a-1"]  # a typo, through the vocabulary's variants
    assert found("g.skovoroda@filosof.example") == ["a-1"]
    assert found("4567") == ["a-1"]
    assert found("zoe obrien") == ["a-2"]


def test_each_batch_has_one_audit_entry_and_one_event(client, tenant, database):
    r = imported(client, tenant, csv_text(["external_id", "given_name"],
                                          ["a-1", "Anna"], ["a-2", "Bohdan"]))
    log = client.get("/api/v1/audit", params={"record_type": "contact_import",
                                             "record_id": r["id"]}, headers=tenant.headers)
    [entry] = log.json()["items"]
    assert entry["action"] == "import"
    assert entry["detail"]["created"] == 2 and entry["detail"]["rows"] == [2, 3]
    with database.connect_superuser() as conn:
        events = conn.execute(
            "SELECT name, payload FROM event_outbox WHERE tenant_id = %s AND record_id = %s",
            (tenant.id, r["id"]),
        ).fetchall()
    assert events == [("contacts.imported", {"import_id": r["id"], "batch": 1, "created": 2,
                                             "updated": 0})]
    # No event per contact: a million rows would swamp the plugins.
    assert superuser_count(database, "event_outbox", tenant.id) == 1
