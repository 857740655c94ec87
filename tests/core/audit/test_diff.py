"""Before/after documents: only changed fields, in shapes JSON keeps."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from rapport.core.audit import diff, jsonable


def test_diff_keeps_only_changed_fields_with_null_for_a_missing_side():
    before = {"given_name": "Ann", "family_name": None, "email": "a@example.com"}
    after = {"given_name": "Ann", "family_name": "Lee", "fields.custom.size": 42}
    assert diff(before, after) == {
        "family_name": [None, "Lee"],
        "email": ["a@example.com", None],
        "fields.custom.size": [None, 42],
    }
    assert diff({}, {"a": None}) == {}
    assert diff(before, before) == {}


def test_values_become_json_shapes():
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    some_id = uuid.uuid4()
    assert jsonable({"at": when, "id": some_id, "amount": Decimal("1.50"), "tags": ("a", "b")}) == {
        "at": "2025-01-02T03:04:05+00:00",
        "id": str(some_id),
        "amount": "1.50",
        "tags": ["a", "b"],
    }
    assert jsonable(frozenset({"b", "a"})) == ["a", "b"]
    with pytest.raises(TypeError):
        jsonable(object())
