"""A CSV with a header and no data rows (or only blank lines after it) is an import of
nothing: it completes with zero rows, over HTTP and through the command — it used to crash
waiting on an empty set of writers. A file with no header at all is still refused."""

from __future__ import annotations

from tests.core.imports.support import (
    IMPORTS,
    cli_import,
    contacts,
    csv_text,
    post_csv,
    superuser_count,
)

HEADER = ["external_id", "given_name", "email"]
HEADER_ONLY = csv_text(HEADER)
BLANK_LINES = HEADER_ONLY + "\n\n\r\n,,\n"


def _completed_with_nothing(summary: dict) -> None:
    assert summary["status"] == "completed"
    assert (summary["total_rows"], summary["created"], summary["updated"]) == (0, 0, 0)
    assert summary["error_count"] == 0


def test_header_only_csv_imports_zero_rows_over_http(client, tenant):
    r = post_csv(client, tenant, HEADER_ONLY, name="empty.csv")
    assert r.status_code == 201, r.text
    _completed_with_nothing(r.json())
    assert contacts(client, tenant) == []
    listed = client.get(IMPORTS, headers=tenant.headers).json()["items"]
    assert [i["status"] for i in listed] == ["completed"]


def test_header_and_blank_lines_csv_imports_zero_rows_over_http(client, tenant):
    r = post_csv(client, tenant, BLANK_LINES)
    assert r.status_code == 201, r.text
    _completed_with_nothing(r.json())


def test_header_only_dry_run_reports_nothing_to_do(client, tenant):
    r = post_csv(client, tenant, HEADER_ONLY, dry_run="true")
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["status"] == "dry_run"
    assert (report["created"], report["updated"], report["errors"]) == (0, 0, [])


def test_blank_lines_only_file_is_refused_as_having_no_header(client, tenant):
    r = post_csv(client, tenant, "\n\n\n")
    assert r.status_code == 422, r.text
    assert r.json()["errors"] == [
        {"field": "header", "message": "the first row must name the columns"}
    ]


def test_header_only_csv_imports_zero_rows_through_the_command(database, tenant, tmp_path):
    for name, text in (("header.csv", HEADER_ONLY), ("blank.csv", BLANK_LINES)):
        path = tmp_path / name
        path.write_text(text)
        outcome = cli_import(database, tenant, path, batch_size=2)
        assert outcome.status == "completed", name
        assert (outcome.total_rows, outcome.created, outcome.updated) == (0, 0, 0)
    assert superuser_count(database, "contacts", tenant.id) == 0
