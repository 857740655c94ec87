"""Files that cannot be imported as they are: a wrong encoding, unknown or missing columns,
rows of the wrong width — refused with a clear error before anything is written; column
mapping; a key repeated in one file (the last row wins)."""

from __future__ import annotations

import codecs

from tests.core.imports.support import by_external_id, contacts, csv_text, post_csv


def _problem_fields(r) -> dict[str, str]:
    assert r.status_code == 422, r.text
    return {e["field"]: e["message"] for e in r.json()["errors"]}


def test_a_file_that_is_not_utf8_is_refused_naming_the_line(client, tenant):
    body = "external_id,given_name\na-1,Anna\na-2,Zoë\n".encode("latin-1")
    fields = _problem_fields(post_csv(client, tenant, body))
    assert "line 3" in fields["body"] and "not UTF-8" in fields["body"]
    utf16 = codecs.BOM_UTF16_LE + "external_id\na\n".encode("utf-16-le")
    assert "UTF-16" in _problem_fields(post_csv(client, tenant, utf16))["body"]
    assert contacts(client, tenant) == []


def test_a_byte_order_mark_is_fine(client, tenant):
    body = codecs.BOM_UTF8 + "external_id,given_name\na-1,Zoë\n".encode()
    r = post_csv(client, tenant, body)
    assert r.status_code == 201, r.text
    assert by_external_id(client, tenant)["a-1"]["given_name"] == "Zoë"


def test_unknown_and_missing_columns_are_named_before_anything_is_written(client, tenant):
    body = csv_text(["external_id", "Given Name", "shoe size"], ["a-1", "Anna", "44"])
    fields = _problem_fields(post_csv(client, tenant, body))
    assert set(fields) == {"Given Name", "shoe size"}
    assert "unknown column" in fields["shoe size"]
    fields = _problem_fields(post_csv(client, tenant, csv_text(["given_name"], ["Anna"])))
    assert fields == {"external_id": "required to match contacts by external_id"}
    fields = _problem_fields(post_csv(client, tenant, b""))
    assert "empty" in fields["body"]
    assert contacts(client, tenant) == []


def test_mapping_names_file_columns_and_can_ignore_some(client, tenant):
    body = csv_text(["ID", "Given Name", "E-mail", "Notes"], ["a-1", "Anna", "A@x.example", "-"])
    r = post_csv(client, tenant, body,
                 mapping=["ID=external_id", "Given Name=given_name", "E-mail=email", "Notes="])
    assert r.status_code == 201, r.text
    assert r.json()["mapping"] == {"ID": "external_id", "Given Name": "given_name",
                                   "E-mail": "email"}
    anna = by_external_id(client, tenant)["a-1"]
    assert (anna["given_name"], anna["email"]) == ("Anna", "A@x.example")
    fields = _problem_fields(post_csv(client, tenant, body, mapping=["Given Name=shoe_size",
                                                                      "Missing=email"]))
    assert "cannot map" in fields["Given Name"] and "no such column" in fields["Missing"]


def test_rows_of_the_wrong_width_and_cells_with_nul_are_per_row_errors(client, tenant):
    body = "external_id,given_name\na-1,Anna\na-2,Bohdan,extra\na-3,Ka\x00te\n"
    r = post_csv(client, tenant, body, dry_run="true")
    assert r.status_code == 200, r.text
    errors = {(e["row"], e["column"]): e["message"] for e in r.json()["errors"]}
    assert errors == {(3, "row"): "has 3 cells; the header has 2",
                      (4, "given_name"): "must not contain NUL characters"}


def test_a_key_repeated_in_one_file_lets_the_last_row_win(client, tenant):
    body = csv_text(["external_id", "given_name", "email"],
                    ["a-1", "First", "first@x.example"],
                    ["a-2", "Other", ""],
                    ["a-1", "Last", "last@x.example"])
    summary = post_csv(client, tenant, body).json()
    assert (summary["created"], summary["duplicates"], summary["error_count"]) == (2, 1, 0)
    anna = by_external_id(client, tenant)["a-1"]
    assert (anna["given_name"], anna["email"]) == ("Last", "last@x.example")
    assert [e["address"] for e in anna["emails"]] == ["last@x.example"]


def test_one_address_for_two_people_is_an_error_on_the_later_row(client, tenant):
    post_csv(client, tenant, csv_text(["external_id", "email"], ["a-0", "taken@x.example"]))
    body = csv_text(["external_id", "given_name", "email"],
                    ["a-1", "Anna", "anna@x.example"],
                    ["a-2", "Also Anna", "ANNA@x.example"],
                    ["a-3", "Thief", "taken@x.example"])
    r = post_csv(client, tenant, body, dry_run="true")
    errors = {(e["row"], e["column"]): e["message"] for e in r.json()["errors"]}
    assert errors == {
        (3, "email"): "address anna@x.example is also given in row 2",
        (4, "email"): "address taken@x.example already belongs to another contact",
    }
    assert post_csv(client, tenant, body).status_code == 422
