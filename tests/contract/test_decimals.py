"""Decimal amounts: the document's pattern is the server's rule, in both directions.

Every decimal a deal, a transaction or a line takes is documented as ``oneOf`` a plain
decimal string (``DECIMAL_PATTERN``) and a JSON number; a string is accepted exactly when
the pattern matches it (read as JSON Schema reads it: ASCII digits), a number when it is
in range and exact as a double. A line's unit price takes 0 and 4 decimals, so the
service's own rules (currency minor units, above zero) do not get in the way here.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from rapport.core.transactions.money import DECIMAL_PATTERN

STRINGS = [
    "0", "12.50", "0012.5", "1.2345", "99999999999999.99",  # match
    "1.23456", "100000000000000", "1e2", "1E+2", " 1", "1 ", "+1", "-1", "1_000", ".5",
    "5.", "١٢", "NaN", "Infinity", "", "1,5", "0x10",
]
NUMBERS = [  # a JSON number, and the unit price answered or None for a 422
    (0.1, "0.10"), (12.5, "12.50"), (100, "100.00"), (1e2, "100.00"),
    (12345678901.2345, "12345678901.2345"),
    (-1, None), (1e14, None), (1234567890123.4567, None), (0.00001, None), (True, None),
]


def _line(client, tenant, unit_price):
    return client.post("/api/v1/deals", headers=tenant.headers, json={
        "title": "Priced", "currency": "EUR",
        "lines": [{"product": "A", "quantity": "1", "unit_price": unit_price}],
    })


def _documented(client) -> dict:
    document = client.get("/schema/openapi.json").json()
    return document["components"]["schemas"]["LineIn"]["properties"]["unit_price"]


def test_the_document_states_the_pattern_and_the_number_form(client):
    schema = _documented(client)
    kinds = {branch["type"]: branch for branch in schema["oneOf"]}
    assert kinds["string"]["pattern"] == DECIMAL_PATTERN
    assert kinds["number"]["minimum"] == 0


@pytest.mark.parametrize("text", STRINGS)
def test_a_string_is_accepted_exactly_when_the_pattern_matches(client, tenant, text):
    matches = re.fullmatch(DECIMAL_PATTERN, text, flags=re.ASCII) is not None
    r = _line(client, tenant, text)
    assert r.status_code == (201 if matches else 422), r.text
    if matches:
        assert Decimal(r.json()["lines"][0]["unit_price"]) == Decimal(text)
    else:
        assert r.json()["errors"][0]["field"].startswith("lines")


@pytest.mark.parametrize(("number", "answered"), NUMBERS)
def test_a_number_is_taken_exactly_or_refused(client, tenant, number, answered):
    r = _line(client, tenant, number)
    if answered is None:
        assert r.status_code == 422, r.text
    else:
        assert r.status_code == 201, r.text
        assert r.json()["lines"][0]["unit_price"] == answered
