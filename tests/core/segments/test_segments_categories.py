"""Lines carry an optional product category; a segment's purchases.category selects the
buyers of a category (with product: the same line has both)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import TenantHandle, sign_up
from tests.core.segments.test_segments_api import _contact, _members


def _buy(client, t: TenantHandle, contact: str, *lines: dict) -> dict:
    r = client.post("/api/v1/transactions", headers=t.headers, json={
        "currency": "EUR", "occurred_at": datetime.now(UTC).isoformat(), "channel": "store",
        "contact_id": contact,
        "lines": [{"quantity": "1", "unit_price": "3.50", **line} for line in lines]})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture(scope="module")
def cafe(client) -> TenantHandle:
    """Ann: an espresso filed under Coffee; Bob: Earl Grey under Tea and an espresso with no
    category; Cid: nothing."""
    t = sign_up(client)
    ann, bob = _contact(client, t, "Ann"), _contact(client, t, "Bob")
    _contact(client, t, "Cid")
    made = _buy(client, t, ann, {"product": "Espresso", "category": " Coffee "})
    assert [(x["product"], x["category"]) for x in made["lines"]] == [("Espresso", "Coffee")]
    made = _buy(client, t, bob, {"product": "Earl Grey", "category": "Tea"},
                {"product": "Espresso"})
    assert [x["category"] for x in made["lines"]] == ["Tea", None]
    return t


@pytest.mark.parametrize(("definition", "expected"), [
    ({"purchases": {"category": "Coffee"}}, ["Ann"]),
    ({"purchases": {"category": "Tea"}}, ["Bob"]),
    ({"purchases": {"product": "Espresso"}}, ["Ann", "Bob"]),
    ({"purchases": {"product": "Espresso", "category": "Coffee"}}, ["Ann"]),
    ({"purchases": {"product": "Earl Grey", "category": "Coffee"}}, []),
    ({"not": {"purchases": {"category": "Tea"}}}, ["Ann", "Cid"]),
])
def test_category_selects_its_buyers(client, cafe, definition, expected) -> None:
    assert _members(client, cafe, definition) == expected


def test_bad_categories_are_refused_naming_them(client, cafe) -> None:
    r = client.post("/api/v1/segments/count", headers=cafe.headers,
                    json={"definition": {"purchases": {"category": " "}}})
    assert r.status_code == 422 and "definition.purchases.category" in r.json()["detail"]
    contact = _contact(client, cafe, "Dan")
    r = client.post("/api/v1/transactions", headers=cafe.headers, json={
        "currency": "EUR", "occurred_at": datetime.now(UTC).isoformat(), "channel": "store",
        "contact_id": contact,
        "lines": [{"product": "Latte", "quantity": "1", "unit_price": "4", "category": "  "}]})
    assert r.status_code == 422 and "lines[0].category" in r.json()["detail"], r.text
    assert _members(client, cafe, {"filter": "given_name:eq:Dan"}) == ["Dan"]
    assert _members(client, cafe, {"all": [{"filter": "given_name:eq:Dan"},
                                           {"purchases": {}}]}) == []


def test_a_deal_line_keeps_its_category(client, cafe) -> None:
    r = client.post("/api/v1/deals", headers=cafe.headers, json={
        "title": "Office coffee", "currency": "EUR",
        "lines": [{"product": "Beans 1 kg", "category": "Coffee", "quantity": "4",
                   "unit_price": "20"}]})
    assert r.status_code == 201, r.text
    assert r.json()["lines"][0]["category"] == "Coffee"
    deal = client.get(f"/api/v1/deals/{r.json()['id']}", headers=cafe.headers).json()
    assert deal["lines"][0]["category"] == "Coffee"
