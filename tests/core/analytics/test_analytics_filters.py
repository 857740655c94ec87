"""The analysis classes in the contact list's own filter grammar (``rapport_contact_filters``):
``GET /api/v1/contacts?filter=analytics.abc:eq:A`` over real HTTP and PostgreSQL after a
worker's recompute — the list, its export and segments' ``filter`` nodes select the same
contacts; bad operators and values are refused naming them; the API document lists the
fields; another tenant's classes never leak in."""

from __future__ import annotations

import json

import pytest

from tests.conftest import TenantHandle, sign_up
from tests.core.analytics.test_analytics_api import _buy, _contact, run_worker

CONTACTS = "/api/v1/contacts"


@pytest.fixture(scope="module")
def classed(client) -> tuple[TenantHandle, dict[str, str]]:
    """Ann buys 500 every month (A, champion); Bob once, 5, ten months ago (C, lost); Cid
    never (no class); five regulars in between."""
    t = sign_up(client)
    people = {name: _contact(client, t, name) for name in ("Ann", "Bob", "Cid")}
    for month in range(11):
        _buy(client, t, people["Ann"], "500.00", 3 + 30 * month)
    _buy(client, t, people["Bob"], "5.00", 300)
    for i in range(5):
        people[f"Reg{i}"] = _contact(client, t, f"Reg{i}")
        for k in range(2 + i % 3):
            _buy(client, t, people[f"Reg{i}"], f"{20 + 5 * i}.00", 10 + 40 * k + i)
    r = client.post("/api/v1/analytics/recompute", headers=t.headers, json={})
    assert r.status_code == 202, r.text
    assert run_worker(client) >= 1
    job = client.get(f"/api/v1/analytics/jobs/{r.json()['id']}", headers=t.headers).json()
    assert job["status"] == "completed", job
    return t, people


def names(client, t: TenantHandle, *filters: str) -> set[str]:
    r = client.get(CONTACTS, headers=t.headers,
                   params=[("filter", f) for f in filters] + [("limit", "200")])
    assert r.status_code == 200, r.text
    return {c["given_name"] for c in r.json()["items"]}


def classes(client, t: TenantHandle, people: dict[str, str]) -> dict[str, dict]:
    return {name: client.get(f"/api/v1/analytics/contacts/{cid}", headers=t.headers).json()
            for name, cid in people.items()}


def test_each_class_filters_the_list_as_the_contact_shows_it(client, classed) -> None:
    t, people = classed
    seen = classes(client, t, people)
    assert seen["Ann"]["abc"] == "A" and seen["Bob"]["abc"] == "C" and seen["Cid"]["abc"] is None
    for letter in "ABC":
        want = {n for n, c in seen.items() if c["abc"] == letter}
        assert names(client, t, f"analytics.abc:eq:{letter}") == want
    assert names(client, t, "analytics.abc:in:A,B") == {
        n for n, c in seen.items() if c["abc"] in ("A", "B")}
    # "not A" includes the contact without any class, as "not gold" does for a field.
    assert names(client, t, "analytics.abc:ne:A") == set(people) - {
        n for n, c in seen.items() if c["abc"] == "A"}
    assert names(client, t, "analytics.abc:is_empty:true") == {"Cid"}
    assert "Cid" not in names(client, t, "analytics.abc:is_empty:false")
    for letter in "XYZ":
        assert names(client, t, f"analytics.xyz:eq:{letter}") == {
            n for n, c in seen.items() if c["xyz"] == letter}
    assert names(client, t, "analytics.rfm:in:champions,lost") == {
        n for n, c in seen.items() if c["rfm"] and c["rfm"]["segment"] in ("champions", "lost")}
    assert "Ann" in names(client, t, "analytics.rfm:eq:champions")
    for score in ("r", "f", "m"):
        assert names(client, t, f"analytics.{score}:gte:4") == {
            n for n, c in seen.items() if c["rfm"] and c["rfm"][score] >= 4}
    top = float(seen["Ann"]["clv"]["value"])
    assert names(client, t, f"analytics.clv:gte:{top}") == {"Ann"}
    assert names(client, t, f"analytics.clv:lt:{top}") == {
        n for n, c in seen.items() if c["clv"] and float(c["clv"]["value"]) < top}
    # Combined with the list's own fields (and with each other): every filter holds.
    assert names(client, t, "analytics.abc:in:A,C", "given_name:eq:Bob") == {"Bob"}
    assert names(client, t, "analytics.abc:eq:A", "analytics.rfm:eq:lost") == set()


def test_the_export_and_segments_read_the_same_filter(client, classed) -> None:
    t, _ = classed
    r = client.get(f"{CONTACTS}/export", headers=t.headers,
                   params={"format": "jsonl", "filter": "analytics.abc:in:A,C"})
    assert r.status_code == 200, r.text
    exported = {json.loads(line)["given_name"] for line in r.text.splitlines() if line}
    assert exported == names(client, t, "analytics.abc:in:A,C") and "Ann" in exported
    r = client.post("/api/v1/segments/count", headers=t.headers, json={
        "definition": {"all": [{"filter": "analytics.abc:eq:A"},
                               {"not": {"filter": "analytics.rfm:eq:lost"}}]}})
    assert r.status_code == 200, r.text
    assert r.json()["count"] == len(names(client, t, "analytics.abc:eq:A"))
    r = client.post("/api/v1/segments/count", headers=t.headers, json={
        "definition": {"any": [{"filter": "analytics.abc:eq:Q"}]}})
    assert r.status_code == 422, r.text
    error = r.json()["errors"][0]
    assert error["field"] == "definition.any[0].filter"
    assert "analytics.abc:eq: must be one of: A, B, C" in error["message"]


@pytest.mark.parametrize(
    ("raw", "mentions"),
    [
        ("analytics.abc:eq:Q", "analytics.abc:eq: must be one of: A, B, C"),
        ("analytics.abc:gt:A", "operator 'gt' does not apply to analytics.abc"),
        ("analytics.abc:about:A", "operator 'about' does not apply to analytics.abc"),
        ("analytics.abc:eq:", "needs a value"),
        ("analytics.abc:in:A,,B", "needs a value"),
        ("analytics.r:gte:high", "analytics.r:gte: must be a number"),
        ("analytics.r:eq:4.5", "must be an integer"),
        ("analytics.clv:eq:100", "operator 'eq' does not apply to analytics.clv"),
        ("analytics.clv:is_empty:maybe", "true or false"),
        ("analytics.rfm:eq:royalty", "must be one of: champions"),
        ("analytics.nope:eq:1", "unknown field 'analytics.nope'"),
    ],
)
def test_bad_contributed_filters_are_refused_naming_them(client, classed, raw, mentions) -> None:
    t, _ = classed
    for path in (CONTACTS, f"{CONTACTS}/export"):
        r = client.get(path, headers=t.headers, params={"filter": raw})
        assert r.status_code == 400, (path, r.text)
        body = r.json()
        assert mentions in body["detail"] and body["errors"][0]["field"] == "filter"


def test_another_tenants_classes_never_match(client, classed) -> None:
    other = sign_up(client)
    _contact(client, other, "Mallory")
    assert names(client, other, "analytics.abc:in:A,B,C") == set()
    assert names(client, other, "analytics.abc:is_empty:true") == {"Mallory"}


def test_the_api_document_lists_the_contributed_fields(client) -> None:
    document = client.get("/schema/openapi.json").json()
    for path in ("/api/v1/contacts", "/api/v1/contacts/export"):
        [parameter] = [p for p in document["paths"][path]["get"]["parameters"]
                       if p["name"] == "filter"]
        text = parameter["description"]
        assert "``analytics.abc`` (ABC class; analytics): operators eq, ne, in, is_empty; " \
            "values A, B, C" in text
        assert "``analytics.clv``" in text and "operators lt, lte, gt, gte, is_empty" in text
