"""``GET /api/v1/contacts/export``: the list's filters, ``q`` and sort, streamed as CSV or
JSON lines with the import's columns, audited; an export imports back to the same
contacts."""

from __future__ import annotations

import csv
import io
import json

from tests.conftest import sign_up
from tests.core.imports.support import EXPORT, contacts, csv_text, imported, post_csv

CONTACTS = "/api/v1/contacts"
PROFILE = dict(
    honorific="Dr", given_name="Taras", patronymic="Hryhorovych", family_name="Shevchenko",
    preferred_name="Tarasyk", email="t.shevchenko@example.com",
    emails=["taras@home.example"], phones=["+380 67 123 4567", "+44 20 7946 0958"],
    birthday="1990-03-09", language="uk", tags=["vip", "poet"],
    addresses=[{"kind": "home", "city": "Kyiv", "country": "UA"}], source="Book fair",
    external_id="crm-1", fields={"custom.shoe_size": 44, "custom.hobbies": ["chess", "poetry"]},
)


def _setup(client, t):
    for key, kind, extra in (("shoe_size", "integer", {}),
                             ("hobbies", "multi_enum", {"options": ["chess", "poetry"]})):
        r = client.post("/api/v1/fields", json={"key": key, "entity": "contact", "type": kind,
                                                "label": key, **extra}, headers=t.headers)
        assert r.status_code == 201, r.text


def _make(client, t, **values):
    r = client.post(CONTACTS, params={"allow_duplicate": "true"}, json=values, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_has_the_import_columns_and_the_list_filters(client, tenant, database):
    _setup(client, tenant)
    _make(client, tenant, **PROFILE)
    _make(client, tenant, given_name="Lesya", family_name="Ukrainka", external_id="crm-2",
          tags=["poet"])
    _make(client, tenant, given_name="Ivan", external_id="crm-3")
    r = client.get(EXPORT, params={"filter": "tags:eq:poet", "sort": "given_name"},
                   headers=tenant.headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = _rows(r.text)
    assert [row["external_id"] for row in rows] == ["crm-2", "crm-1"]
    taras = rows[1]
    assert list(taras)[:3] == ["external_id", "honorific", "given_name"]
    assert taras["email"] == "t.shevchenko@example.com" and taras["emails"] == "taras@home.example"
    # A leading "+" is a formula to a spreadsheet: quoted (docs/imports.md, CSV injection).
    assert taras["phones"] == "'+380671234567;+442079460958" and taras["tags"] == "poet;vip"
    assert taras["fields.custom.hobbies"] == "chess;poetry"
    assert taras["fields.custom.shoe_size"] == "44"
    assert json.loads(taras["addresses"])[0]["city"] == "Kyiv"
    log = client.get("/api/v1/audit", headers=tenant.headers).json()["items"]
    exported = [e for e in log if e["action"] == "export"]
    assert exported[0]["detail"] == {"format": "csv", "filters": ["tags:eq:poet"], "q": None,
                                     "sort": "given_name"}


def test_jsonl_export_with_q_streams_every_page(client, tenant):
    body = csv_text(["external_id", "given_name", "family_name"],
                    *[[f"p-{i}", f"Person{i}", "Kovalenko" if i % 2 else "Bondar"]
                      for i in range(2101)])
    imported(client, tenant, body)
    r = client.get(EXPORT, params={"format": "jsonl", "q": "kovalenko"}, headers=tenant.headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/x-ndjson")
    items = [json.loads(line) for line in r.text.splitlines()]
    assert len(items) == 1050  # more than one page of 1,000
    assert {i["family_name"] for i in items} == {"Kovalenko"}
    assert set(items[0]) >= {"id", "external_id", "emails", "phones", "tags", "addresses"}
    assert items[0]["tags"] == [] and isinstance(items[0]["id"], str)


def test_bad_filters_are_400_before_anything_streams(client, tenant):
    r = client.get(EXPORT, params={"filter": "shoe:eq:1"}, headers=tenant.headers)
    assert r.status_code == 400
    assert client.get(EXPORT, params={"format": "xml"}, headers=tenant.headers).status_code == 422


def test_an_export_imports_back_to_the_same_contacts(client, tenant):
    _setup(client, tenant)
    _make(client, tenant, **PROFILE)
    _make(client, tenant, given_name="Lesya", email="lesya@x.example", external_id="crm-2")
    before = {c["external_id"]: c for c in contacts(client, tenant)}
    exported = client.get(EXPORT, headers=tenant.headers).text
    again = post_csv(client, tenant, exported)
    assert again.status_code == 201, again.text
    assert (again.json()["created"], again.json()["updated"]) == (0, 2)
    after = {c["external_id"]: c for c in contacts(client, tenant)}
    for key, contact in before.items():
        assert {k: v for k, v in after[key].items() if k != "updated_at"} == {
            k: v for k, v in contact.items() if k != "updated_at"}
    # Into another organization: the same people, other ids.
    other = sign_up(client)
    _setup(client, other)
    assert post_csv(client, other, exported).status_code == 201
    copied = {c["external_id"]: c for c in contacts(client, other)}
    volatile = ("id", "created_at", "updated_at")
    for key, contact in before.items():
        assert {k: v for k, v in copied[key].items() if k not in volatile} == {
            k: v for k, v in contact.items() if k not in volatile}
