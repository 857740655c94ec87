"""Pre-printed card stock: registered by range (Luhn-checked, never overlapping), listed with
how many are issued, and once a program has stock its plastic cards come only from it — by
API and by CLI."""

from __future__ import annotations

from click.testing import CliRunner

from rapport.db.urls import libpq_url
from rapport_plugins.retail.cardnumbers import generated
from rapport_plugins.retail.cli import retail_group
from tests.plugins.retail.support import R, shop


def _join(client, s, number: str):
    c = client.post("/api/v1/contacts", json={"given_name": "Iryna"}, headers=s.headers)
    return client.post(f"{R}/members", json={
        "contact_id": c.json()["id"], "program_id": s.program_id, "card_kind": "plastic",
        "card_number": number}, headers=s.headers)


def test_stock_by_range_then_issue(client):
    s = shop(client)
    url = f"{R}/programs/{s.program_id}/card-stock"
    first = generated("6001", 1)
    # Any valid plastic number is taken while the program has no stock.
    assert _join(client, s, generated("5999", 7)).status_code == 201
    r = client.post(url, json={"first": first, "count": 500, "label": "print run 1"},
                    headers=s.headers)
    assert r.status_code == 201, r.text
    assert (r.json()["first"], r.json()["last"]) == (first, generated("6001", 500))
    assert r.json()["issued"] == 0
    bad = client.post(url, json={"first": first[:-1] + "0", "count": 5}, headers=s.headers)
    assert bad.status_code == 422 and "first" in bad.text and "check digit" in bad.text
    overlap = client.post(url, json={"first": generated("6001", 400), "count": 200},
                          headers=s.headers)
    assert overlap.status_code == 409 and "print run 1" in overlap.text
    assert client.post(url, json={"first": first, "count": 0},
                       headers=s.headers).status_code in (400, 422)
    assert client.post(url, json={"first": first, "count": 5},
                       headers=s.cashier).status_code == 403
    # Issue from the stock; a number outside it (though Luhn-valid) is refused.
    assert _join(client, s, generated("6001", 42)).status_code == 201
    outside = _join(client, s, generated("6001", 501))
    assert outside.status_code == 422 and "card_number" in outside.text
    assert "stock" in outside.text
    listed = client.get(url, headers=s.headers).json()
    assert [(x["label"], x["count"], x["issued"]) for x in listed] == [("print run 1", 500, 1)]


def test_stock_cli(client, database, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATABASE_URL", libpq_url(database.owner_url))
    monkeypatch.setenv("RAPPORT_APP_DATABASE_URL", libpq_url(database.app_url))
    s = shop(client)
    first = generated("6002", 1)
    args = ["--tenant", s.tenant.slug, "--program", s.program_id]
    added = CliRunner().invoke(retail_group, ["stock", "add", *args, "--first", first,
                                              "--count", "1000", "--label", "PO-7"])
    assert added.exit_code == 0, added.output
    assert f"registered 1000 cards {first}" in added.output
    again = CliRunner().invoke(retail_group, ["stock", "add", *args, "--first", first,
                                              "--count", "1"])
    assert again.exit_code != 0 and "overlaps" in again.output
    listed = CliRunner().invoke(retail_group, ["stock", "list", *args])
    assert listed.exit_code == 0 and "PO-7" in listed.output and "0 issued" in listed.output
