"""An import records one fact per contact holding every value it brought; the facts
endpoint shows it in each field's history, next to the per-field facts later API edits
record, and ``field=`` finds a field inside such a set."""

from __future__ import annotations

from tests.core.imports.support import contacts, csv_text, imported

CONTACTS = "/api/v1/contacts"


def _facts(client, t, contact_id, **params):
    r = client.get(f"{CONTACTS}/{contact_id}/facts", params=params, headers=t.headers)
    assert r.status_code == 200, r.text
    return {f["field"]: f for f in r.json()["fields"]}


def _fact_rows(database, contact_id):
    with database.connect_superuser() as conn:
        return conn.execute(
            "SELECT field, channel FROM contact_facts WHERE contact_id = %s ORDER BY id",
            (contact_id,),
        ).fetchall()


def test_an_imported_set_reads_as_each_fields_history(client, database, tenant):
    client.post("/api/v1/fields", json={"key": "shoe_size", "entity": "contact",
                                        "type": "integer", "label": "Shoe size"},
                headers=tenant.headers)
    summary = imported(client, tenant, csv_text(
        ["external_id", "given_name", "email", "tags", "fields.custom.shoe_size"],
        ["a-1", "Ira", "ira@example.com", "vip;lead", "38"]), name="fair.csv")
    [ira] = contacts(client, tenant)
    assert _fact_rows(database, ira["id"]) == [("*", "import")]
    source = f"import {summary['id']}: fair.csv"

    client.patch(f"{CONTACTS}/{ira['id']}", json={"given_name": "Iryna"},
                 headers=tenant.headers)
    facts = _facts(client, tenant, ira["id"])
    assert {"external_id", "given_name", "email", "tags", "fields.custom.shoe_size"} <= set(facts)
    assert "*" not in facts
    names = facts["given_name"]["history"]
    assert [(h["value"], h["channel"]) for h in names] == [("Iryna", "api"), ("Ira", "import")]
    assert names[1]["source"] == source and names[1]["recorded_by_name"] == "Olena Owner"
    assert facts["tags"]["history"][0]["value"] == ["lead", "vip"]
    assert facts["fields.custom.shoe_size"]["history"][0]["value"] == 38

    # One field, whether its facts stand alone or inside a set.
    only = _facts(client, tenant, ira["id"], field="given_name")
    assert list(only) == ["given_name"]
    assert [h["value"] for h in only["given_name"]["history"]] == ["Iryna", "Ira"]
    [shoe] = _facts(client, tenant, ira["id"], field="fields.custom.shoe_size").values()
    assert shoe["value"] == 38 and shoe["history"][0]["source"] == source


def test_a_reimport_adds_a_set_and_each_field_keeps_its_order(client, database, tenant):
    header = ["external_id", "given_name", "family_name"]
    imported(client, tenant, csv_text(header, ["a-1", "Ira", "Koval"]), name="first.csv")
    second = imported(client, tenant, csv_text(header, ["a-1", "Iryna", ""]),
                      name="second.csv")
    [ira] = contacts(client, tenant)
    assert [f for f, _ in _fact_rows(database, ira["id"])] == ["*", "*"]
    facts = _facts(client, tenant, ira["id"])
    assert [h["value"] for h in facts["given_name"]["history"]] == ["Iryna", "Ira"]
    assert facts["given_name"]["history"][0]["source"] == f"import {second['id']}: second.csv"
    # An empty cell changes nothing and records nothing for that field.
    assert [h["value"] for h in facts["family_name"]["history"]] == ["Koval"]
