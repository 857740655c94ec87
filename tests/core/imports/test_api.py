"""``POST /api/v1/imports``: a CSV body imported atomically in the request — 201 with the
summary, 200 for a dry run with each row's errors, 422 when rows are invalid (nothing is
written), 413 past 20 MiB; import records per tenant."""

from __future__ import annotations

from tests.conftest import sign_up
from tests.core.imports.support import (
    EXPORT,
    IMPORTS,
    by_external_id,
    contacts,
    csv_text,
    member_headers,
    post_csv,
)

HEADER = ["external_id", "given_name", "family_name", "email", "phones", "birthday"]
GOOD = ["crm-1", "Taras", "Shevchenko", "taras@example.com", "+380 67 123 4567", "1990-03-09"]
BAD = [
    ["crm-2", "Lesya", "Ukrainka", "not an email", "", ""],
    ["crm-3", "Ivan", "Franko", "", "12", "1856-08-27"],
    ["", "No", "Key", "", "", ""],
]


def test_import_creates_then_a_second_import_updates(client, tenant):
    body = csv_text(HEADER, GOOD, ["crm-2", "Lesya", "Ukrainka", "", "", ""])
    r = post_csv(client, tenant, body, name="people.csv")
    assert r.status_code == 201, r.text
    summary = r.json()
    assert summary["status"] == "completed" and summary["file_name"] == "people.csv"
    assert (summary["created"], summary["updated"], summary["total_rows"]) == (2, 0, 2)
    assert summary["processed_rows"] == 2 and summary["atomic"] is True
    again = post_csv(client, tenant, body).json()
    assert (again["created"], again["updated"]) == (0, 2)
    assert set(by_external_id(client, tenant)) == {"crm-1", "crm-2"}


def test_dry_run_answers_200_with_each_rows_errors_and_writes_only_the_record(client, tenant):
    r = post_csv(client, tenant, csv_text(HEADER, GOOD, *BAD), dry_run="true")
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["status"] == "dry_run" and report["dry_run"] is True
    assert (report["created"], report["updated"]) == (1, 0)  # what a real run would do
    errors = {(e["row"], e["column"]) for e in report["errors"]}
    # Spreadsheet rows: the header is row 1.
    assert {(3, "email"), (4, "phones"), (4, "birthday"), (5, "external_id")} <= errors
    assert report["error_count"] == len(report["errors"])
    message = next(e["message"] for e in report["errors"] if e["column"] == "phones")
    assert message.startswith("value 1: must be a valid phone number")
    assert contacts(client, tenant) == []
    listed = client.get(IMPORTS, headers=tenant.headers).json()["items"]
    assert [i["id"] for i in listed] == [report["id"]]


def test_invalid_rows_refuse_the_whole_import_with_422(client, tenant, database):
    r = post_csv(client, tenant, csv_text(HEADER, GOOD, *BAD))
    assert r.status_code == 422
    problem = r.json()
    assert problem["invalid_rows"] == 3 and problem["total_rows"] == 4
    assert {"row": 3, "column": "email"} in [
        {"row": e["row"], "column": e["column"]} for e in problem["rows"]
    ]
    assert any(e["field"] == "row 3: email" for e in problem["errors"])
    assert contacts(client, tenant) == []
    assert client.get(IMPORTS, headers=tenant.headers).json()["items"] == []


def test_skip_invalid_imports_the_valid_rows_and_counts_the_rest(client, tenant):
    r = post_csv(client, tenant, csv_text(HEADER, GOOD, *BAD), skip_invalid="true")
    assert r.status_code == 201, r.text
    summary = r.json()
    assert (summary["created"], summary["error_count"]) == (1, len(summary["errors"]))
    assert set(by_external_id(client, tenant)) == {"crm-1"}


def test_oversized_body_is_413_and_other_media_types_415(client, tenant):
    big = csv_text(["external_id", "given_name"]) + "x,y\n" * (11 * 1024 * 1024 // 2)
    assert len(big) > 20 * 1024 * 1024
    assert post_csv(client, tenant, big).status_code == 413
    r = client.post(IMPORTS, json={"external_id": "x"}, headers=tenant.headers)
    assert r.status_code == 415
    # The general 1 MiB limit does not apply here: a 2 MiB file is fine.
    rows = [[f"big-{i}", "Name", "x" * 1000] for i in range(2_100)]
    body = csv_text(["external_id", "given_name", "Notes"], *rows)
    assert len(body) > 2 * 1024 * 1024
    r = post_csv(client, tenant, body, dry_run="true", mapping="Notes=")
    assert r.status_code == 200 and r.json()["total_rows"] == 2_100


def test_viewers_may_read_import_records_but_not_import_or_export(client, tenant):
    viewer = member_headers(client, tenant, "viewer")
    r = client.post(IMPORTS, content=csv_text(HEADER, GOOD),
                    headers={**viewer, "content-type": "text/csv"})
    assert r.status_code == 403
    assert client.get(EXPORT, headers=viewer).status_code == 403
    assert client.get(IMPORTS, headers=viewer).status_code == 200
    member = member_headers(client, tenant, "member")
    r = client.post(IMPORTS, content=csv_text(HEADER, GOOD),
                    headers={**member, "content-type": "text/csv"})
    assert r.status_code == 201, r.text


def test_one_tenants_imports_and_contacts_stay_its_own(client, tenant):
    other = sign_up(client)
    mine = post_csv(client, tenant, csv_text(HEADER, GOOD)).json()
    theirs = post_csv(client, other, csv_text(HEADER, ["crm-1", "Bohdan", "", "", "", ""]))
    # The same external_id and file in another tenant is another contact.
    assert theirs.status_code == 201 and theirs.json()["created"] == 1
    assert [i["id"] for i in client.get(IMPORTS, headers=other.headers).json()["items"]] == [
        theirs.json()["id"]
    ]
    assert client.get(f"{IMPORTS}/{mine['id']}", headers=other.headers).status_code == 404
    exported = client.get(EXPORT, params={"format": "jsonl"}, headers=other.headers)
    assert [line for line in exported.text.splitlines() if "Taras" in line] == []
    assert by_external_id(client, tenant)["crm-1"]["given_name"] == "Taras"
    assert by_external_id(client, other)["crm-1"]["given_name"] == "Bohdan"
