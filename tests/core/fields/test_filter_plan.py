"""An ``eq`` filter on an indexed field walks the field index in id order and stops after a
page (EXPLAIN ANALYZE of the endpoint's own SQL as the app role), and its pages and cursors
list exactly what the filter means: every match once, newest first."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import sign_up
from tests.core.fields.conftest import create_contact, create_field
from tests.core.fields.test_indexes import captured_sql

ROWS = 20_000
SIZES = 100  # sizes 1..100: each matches about 1% of the tenant
WALKED = "ix_field_values_number_record"


def explain_analyze(database, tenant_id: str, sql: str, params: Any) -> dict[str, Any]:
    """The executed plan as the app role in the tenant's context (then rolled back)."""
    with database.connect_app() as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant_id,))
        [(plan,)] = conn.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params).fetchall()
        conn.rollback()
    return plan[0]["Plan"]


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def walk_nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The plan without its subplans: a listed row's emails, phones and tags come from
    correlated aggregates (sorted per row, a few rows each), which are not the walk."""
    yield plan
    for child in plan.get("Plans", []):
        if child.get("Parent Relationship") not in ("SubPlan", "InitPlan"):
            yield from walk_nodes(child)


@pytest.fixture(scope="module")
def big(client, database):
    """A tenant with 20,000 contacts whose indexed ``size`` is 1..100, loaded in one INSERT
    (the trigger fills the index), ANALYZEd like a live database."""
    tenant = sign_up(client)
    name = f"size_{secrets.token_hex(3)}"
    full_key = f"custom.{name}"
    create_field(client, tenant, key=name, type="integer", indexed=True)
    create_field(client, tenant, key=f"{name}_vip", type="boolean", indexed=True)
    with database.connect_owner() as conn, conn.transaction():
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant.id,))
        conn.execute(
            "INSERT INTO contacts (tenant_id, id, given_name, fields) "
            "SELECT %s, uuidv7(), 'P' || g, jsonb_build_object(%s::text, 1 + g %% %s, "
            "%s::text, g %% 3 = 0) FROM generate_series(1, %s) g",
            (tenant.id, full_key, SIZES, f"{full_key}_vip", ROWS),
        )
    with database.connect_owner() as conn:
        conn.execute("ANALYZE contacts")
        conn.execute("ANALYZE field_values")
    yield tenant, full_key
    # Statistics are shared by every tenant: leave other tests' plans as they found them.
    with database.connect_owner() as conn, conn.transaction():
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant.id,))
        conn.execute("DELETE FROM contacts WHERE tenant_id = %s", (tenant.id,))
    with database.connect_owner() as conn:
        conn.execute("ANALYZE contacts")
        conn.execute("ANALYZE field_values")


def _list(client, tenant, **params: Any) -> dict[str, Any]:
    r = client.get("/api/v1/contacts", params=params, headers=tenant.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _expected(database, tenant_id: str, where: str, params: tuple[Any, ...]) -> list[str]:
    """The answer worked out independently, straight from the contacts table."""
    with database.connect_app() as conn:
        conn.execute("SELECT set_config('rapport.tenant_id', %s, true)", (tenant_id,))
        rows = conn.execute(
            f"SELECT id::text FROM contacts WHERE {where} ORDER BY id DESC", params
        ).fetchall()
    return [r[0] for r in rows]


def _fetched(plan: dict[str, Any], relation: str) -> float:
    """Rows the plan read from ``relation`` (over every loop of a nested loop)."""
    return sum(
        n["Actual Rows"] * n["Actual Loops"]
        for n in nodes(plan)
        if n.get("Relation Name") == relation
    )


def _walk_plan(client, database, tenant, **params: Any) -> tuple[dict[str, Any], Any]:
    with captured_sql(client) as seen:
        page = _list(client, tenant, limit=50, **params)
    [(sql, sql_params)] = [(s, p) for s, p in seen if "field_values" in s]
    plan = explain_analyze(database, tenant.id, sql, sql_params)
    assert any(n.get("Index Name") == WALKED for n in nodes(plan)), json.dumps(plan, indent=1)
    contacts = [n for n in nodes(plan) if n.get("Relation Name") == "contacts"]
    assert contacts and all(n["Node Type"] == "Index Scan" for n in contacts), plan
    # A page (51 rows: one more tells whether there is a next page) of the ~200 matches
    # per value is read from contacts, by primary key.
    assert _fetched(plan, "contacts") <= 51, json.dumps(plan, indent=1)
    return plan, page


@pytest.mark.parametrize("condition", ["eq:42", "in:42"])
def test_eq_on_an_indexed_field_reads_one_page_of_the_index(client, database, big, condition):
    tenant, full_key = big
    plan, page = _walk_plan(client, database, tenant, filter=f"{full_key}:{condition}")
    # One value's entries come in id order: nothing is sorted, the walk stops at the page.
    assert _fetched(plan, "field_values") <= 51, json.dumps(plan, indent=1)
    assert not [n for n in walk_nodes(plan) if n["Node Type"] in ("Sort", "Incremental Sort")]
    # The next page starts the walk at the cursor instead of reading the first page again.
    plan, _ = _walk_plan(client, database, tenant, filter=f"{full_key}:{condition}",
                         cursor=page["next_cursor"])
    assert _fetched(plan, "field_values") <= 51, json.dumps(plan, indent=1)


def test_in_on_an_indexed_field_reads_one_page_of_contacts(client, database, big):
    """Several values: their entries (ids only) are merged in id order, contacts are read
    for one page."""
    tenant, full_key = big
    plan, page = _walk_plan(client, database, tenant, filter=f"{full_key}:in:42,43,44")
    assert len(page["items"]) == 50
    assert _fetched(plan, "field_values") <= 3 * ROWS / SIZES + 3, json.dumps(plan, indent=1)


def _all_pages(client, tenant, limit: int, **params: Any) -> list[str]:
    ids: list[str] = []
    cursor = None
    while True:
        page = _list(client, tenant, limit=limit, **({"cursor": cursor} if cursor else {}),
                     **params)
        ids += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return ids


@pytest.mark.parametrize(
    ("condition", "where"),
    [
        ("eq:7", "(fields->>'{key}')::int = 7"),
        ("in:7", "(fields->>'{key}')::int = 7"),
        ("in:7,8,7.0", "(fields->>'{key}')::int IN (7, 8)"),  # one walk per distinct value
        ("gte:99", "(fields->>'{key}')::int >= 99"),  # a range: sorted, still right
    ],
)
def test_pages_of_a_walked_filter_list_every_match_once(client, database, big, condition,
                                                        where):
    tenant, full_key = big
    ids = _all_pages(client, tenant, 37, filter=f"{full_key}:{condition}")
    expected = _expected(database, tenant.id, where.format(key=full_key), ())
    assert len(expected) >= 200
    assert ids == expected


def test_walk_combines_with_other_filters_sort_and_search(client, database, big):
    tenant, full_key = big
    vip = f"{full_key}_vip"
    # Two indexed eq filters: one is walked, the other probes; the answer is the same.
    ids = _all_pages(client, tenant, 25, filter=[f"{full_key}:eq:9", f"{vip}:eq:true"])
    assert ids == _expected(
        database, tenant.id, f"(fields->>'{full_key}')::int = 9 AND (fields->>'{vip}')::boolean",
        (),
    )
    # With q: only the walked matches that also match the search (terms are written by
    # the API, so these two are made through it).
    create_contact(client, tenant, given_name="Quentin", fields={full_key: 9})
    create_contact(client, tenant, given_name="Quentin", fields={full_key: 10})
    page = _list(client, tenant, filter=f"{full_key}:eq:9", q="quentin")
    assert [c["fields"][full_key] for c in page["items"]] == [9]
    # A sort other than id: the walk still narrows, the order is the sort's.
    page = _list(client, tenant, filter=[f"{full_key}:eq:9", f"{vip}:eq:true"],
                 sort="-given_name", limit=200)
    names = [c["given_name"] for c in page["items"]]
    assert names == sorted(names, reverse=True)
    assert sorted(c["id"] for c in page["items"]) == sorted(ids)


def test_walked_pages_stay_stable_while_contacts_are_added(client, database, big):
    tenant, _ = big
    name = f"tier_{secrets.token_hex(3)}"
    full_key = f"custom.{name}"
    create_field(client, tenant, key=name, type="text", indexed=True)
    made = [create_contact(client, tenant, given_name=f"T{i}", fields={full_key: "gold"})["id"]
            for i in range(6)]
    create_contact(client, tenant, given_name="Silver", fields={full_key: "silver"})
    first = _list(client, tenant, filter=f"{full_key}:eq:gold", limit=4)
    assert [c["id"] for c in first["items"]] == made[::-1][:4]
    create_contact(client, tenant, given_name="Late", fields={full_key: "gold"})
    rest = _list(client, tenant, filter=f"{full_key}:eq:gold", limit=4,
                 cursor=first["next_cursor"])
    assert [c["id"] for c in rest["items"]] == made[::-1][4:] and rest["next_cursor"] is None
