"""List endpoints filter with repeatable ``filter=field:op:value`` and sort with
``sort=[-]field``, over core attributes and custom fields alike."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from tests.conftest import sign_up
from tests.core.fields.conftest import create_contact, create_field

PEOPLE = [
    # given_name, shoe_size, tier, tags, birthday, vip, price EUR, nick
    ("Ann", 38, "gold", ["vip"], "1990-04-01", True, "10.00", "Annie"),
    ("Bob", 44, "silver", ["press", "vip"], "1985-12-24", False, "25.50", "Bobby"),
    ("Cid", 41, "bronze", [], "2001-07-15", False, "7.25", None),
    ("Dee", None, None, ["partner"], None, None, None, "DeeDee"),
    ("Eve", 44, "gold", [], "1999-01-01", True, "99.99", None),
]


@pytest.fixture(scope="module")
def crm(client):
    tenant = sign_up(client)
    create_field(client, tenant, key="shoe_size", type="integer")
    create_field(client, tenant, key="tier", type="enum", options=["gold", "silver", "bronze"])
    create_field(client, tenant, key="tags", type="multi_enum", options=["vip", "press", "partner"])
    create_field(client, tenant, key="birthday", type="date")
    create_field(client, tenant, key="vip", type="boolean")
    create_field(client, tenant, key="price", type="money")
    create_field(client, tenant, key="nick", type="text")
    create_field(client, tenant, key="mobile", type="phone")
    create_field(client, tenant, key="manager", type="reference")
    ids = {}
    for name, size, tier, tags, birthday, vip, price, nick in PEOPLE:
        values = {
            "custom.shoe_size": size,
            "custom.tier": tier,
            "custom.tags": tags,
            "custom.birthday": birthday,
            "custom.vip": vip,
            "custom.price": {"amount": price, "currency": "EUR"} if price else None,
            "custom.nick": nick,
        }
        ids[name] = create_contact(client, tenant, given_name=name, fields=values)["id"]
    boss = {"type": "contact", "id": ids["Ann"]}
    client.patch(
        f"/api/v1/contacts/{ids['Bob']}",
        json={"fields": {"custom.manager": boss, "custom.mobile": "+1 650-253-0000"}},
        headers=tenant.headers,
    )
    return tenant, ids


def names(client, tenant, *filters, sort=None, limit=50):
    params = [("filter", f) for f in filters] + [("limit", limit)]
    if sort:
        params.append(("sort", sort))
    r = client.get("/api/v1/contacts?" + urlencode(params), headers=tenant.headers)
    assert r.status_code == 200, r.text
    return [c["given_name"] for c in r.json()["items"]]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (["custom.shoe_size:gte:40"], {"Bob", "Cid", "Eve"}),
        (["custom.shoe_size:lt:41"], {"Ann"}),
        (["custom.shoe_size:eq:44"], {"Bob", "Eve"}),
        (["custom.shoe_size:ne:44"], {"Ann", "Cid", "Dee"}),
        (["custom.shoe_size:in:38,41"], {"Ann", "Cid"}),
        (["custom.shoe_size:is_empty"], {"Dee"}),
        (["custom.shoe_size:is_empty:false"], {"Ann", "Bob", "Cid", "Eve"}),
        (["custom.tier:in:gold,silver"], {"Ann", "Bob", "Eve"}),
        (["custom.tier:ne:gold"], {"Bob", "Cid", "Dee"}),
        (["custom.shoe_size:gte:40", "custom.tier:in:gold,silver"], {"Bob", "Eve"}),
        (["custom.tags:contains:vip"], {"Ann", "Bob"}),
        (["custom.tags:contains:vip,press"], {"Bob"}),
        (["custom.tags:in:press,partner"], {"Bob", "Dee"}),
        (["custom.tags:is_empty"], {"Cid", "Eve"}),
        (["custom.birthday:lt:1995-01-01"], {"Ann", "Bob"}),
        (["custom.birthday:gte:1999-01-01"], {"Cid", "Eve"}),
        (["custom.vip:eq:true"], {"Ann", "Eve"}),
        (["custom.vip:ne:true"], {"Bob", "Cid", "Dee"}),
        (["custom.price:gt:10"], {"Bob", "Eve"}),
        (["custom.price:lte:10.00"], {"Ann", "Cid"}),
        (["custom.price.currency:eq:EUR"], {"Ann", "Bob", "Cid", "Eve"}),
        (["custom.nick:contains:ANN"], {"Ann"}),
        (["custom.nick:eq:Bobby"], {"Bob"}),
        (["custom.nick:gt:Bobby"], {"Dee"}),
        (["custom.nick:contains:%"], set()),
        (["custom.mobile:eq:+16502530000"], {"Bob"}),
        (["given_name:in:Ann,Eve"], {"Ann", "Eve"}),
        (["given_name:contains:e", "custom.vip:eq:true"], {"Eve"}),
        (["email:is_empty"], {"Ann", "Bob", "Cid", "Dee", "Eve"}),
        (["created_at:gte:2000-01-01T00:00:00Z"], {"Ann", "Bob", "Cid", "Dee", "Eve"}),
        (["created_at:lt:2000-01-01T00:00:00Z"], set()),
    ],
)
def test_filters(client, crm, filters, expected):
    tenant, _ = crm
    assert set(names(client, tenant, *filters)) == expected


def test_reference_filter_takes_the_referenced_id(client, crm):
    tenant, ids = crm
    assert names(client, tenant, f"custom.manager:eq:{ids['Ann']}") == ["Bob"]
    assert set(names(client, tenant, "custom.manager:is_empty")) == {"Ann", "Cid", "Dee", "Eve"}


def test_phone_filters_compare_the_normal_form(client, crm):
    tenant, _ = crm
    assert names(client, tenant, "custom.mobile:eq:+1 650 253 0000") == ["Bob"]


def test_sorting_ascending_and_descending_keeps_empty_values_last(client, crm):
    tenant, _ = crm
    asc = names(client, tenant, sort="custom.shoe_size")
    assert asc[:2] == ["Ann", "Cid"] and set(asc[2:4]) == {"Bob", "Eve"} and asc[4] == "Dee"
    desc = names(client, tenant, sort="-custom.shoe_size")
    assert set(desc[:2]) == {"Bob", "Eve"} and desc[2:] == ["Cid", "Ann", "Dee"]
    assert names(client, tenant, sort="given_name") == ["Ann", "Bob", "Cid", "Dee", "Eve"]
    assert names(client, tenant, sort="-custom.birthday")[:2] == ["Cid", "Eve"]
    assert names(client, tenant, sort="custom.price") == ["Cid", "Ann", "Bob", "Eve", "Dee"]
    assert names(client, tenant, "custom.vip:is_empty:false", sort="-custom.vip")[:2] in (
        ["Ann", "Eve"],
        ["Eve", "Ann"],
    )


@pytest.mark.parametrize(
    "sort", ["custom.shoe_size", "-custom.shoe_size", "-custom.tags", "custom.nick", "-created_at"]
)
def test_sorted_cursor_pages_through_every_row_once_with_ties_and_empties(client, crm, sort):
    tenant, _ = crm
    everything = names(client, tenant, sort=sort)
    seen, cursor = [], None
    while True:
        params = {"sort": sort, "limit": 2} | ({"cursor": cursor} if cursor else {})
        r = client.get("/api/v1/contacts?" + urlencode(params), headers=tenant.headers)
        assert r.status_code == 200, r.text
        seen += [c["given_name"] for c in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == everything and len(seen) == len(PEOPLE)


def test_sorted_pages_stay_correct_while_rows_are_inserted(client):
    tenant = sign_up(client)
    create_field(client, tenant, key="rank", type="integer")
    for rank in (5, 1, 3, 2, 4):
        create_contact(client, tenant, given_name=f"R{rank}", fields={"custom.rank": rank})
    h = tenant.headers
    first = client.get("/api/v1/contacts?sort=custom.rank&limit=2", headers=h).json()
    assert [c["given_name"] for c in first["items"]] == ["R1", "R2"]
    create_contact(client, tenant, given_name="R0", fields={"custom.rank": 0})  # before the cursor
    rest = client.get(
        f"/api/v1/contacts?sort=custom.rank&limit=10&cursor={first['next_cursor']}", headers=h
    ).json()
    assert [c["given_name"] for c in rest["items"]] == ["R3", "R4", "R5"]


@pytest.mark.parametrize(
    ("query", "mentions"),
    [
        ("filter=custom.nothing:eq:1", "unknown field 'custom.nothing'"),
        ("filter=shoe_size:eq:1", "unknown field 'shoe_size'"),
        ("filter=custom.shoe_size:about:40", "unknown operator 'about'"),
        ("filter=custom.shoe_size:contains:4", "operator contains does not apply to integer"),
        ("filter=custom.vip:gt:true", "operator gt does not apply to boolean"),
        ("filter=custom.shoe_size", "not field:op:value"),
        ("filter=custom.shoe_size:gte:big", "custom.shoe_size:gte: must be a number"),
        ("filter=custom.shoe_size:eq:4.5", "must be an integer"),
        ("filter=custom.shoe_size:eq:", "needs a value"),
        ("filter=custom.birthday:lt:yesterday", "YYYY-MM-DD"),
        ("filter=custom.tier:eq:platinum", "must be one of"),
        ("filter=custom.manager:eq:boss", "UUID"),
        ("filter=custom.vip:is_empty:maybe", "true or false"),
        ("sort=custom.nothing", "unknown field 'custom.nothing'"),
        ("sort=custom.shoe_size&cursor=abc", "not a cursor this API issued"),
    ],
)
def test_bad_filters_and_sorts_are_400_naming_them(client, crm, query, mentions):
    tenant, _ = crm
    r = client.get(f"/api/v1/contacts?{query}", headers=tenant.headers)
    assert r.status_code == 400, r.text
    assert mentions in r.json()["detail"]


def test_a_cursor_only_fits_the_sort_it_came_from(client, crm):
    tenant, _ = crm
    h = tenant.headers
    cursor = client.get("/api/v1/contacts?sort=custom.shoe_size&limit=1", headers=h).json()[
        "next_cursor"
    ]
    r = client.get(f"/api/v1/contacts?sort=-custom.shoe_size&cursor={cursor}", headers=h)
    assert r.status_code == 400 and "different sort" in r.json()["detail"]


def test_a_filter_never_returns_another_tenants_rows(client, crm):
    tenant, _ = crm
    other = sign_up(client)
    # Same key, another type: their "44" is text; our filter must neither see nor trip on it.
    create_field(client, other, key="shoe_size", type="text")
    create_contact(client, other, given_name="Mallory", fields={"custom.shoe_size": "44"})
    create_contact(client, other, given_name="Trudy", fields={"custom.shoe_size": "huge"})
    assert set(names(client, tenant, "custom.shoe_size:eq:44")) == {"Bob", "Eve"}
    assert names(client, other, "custom.shoe_size:eq:44") == ["Mallory"]
    assert "Mallory" not in names(client, tenant, sort="custom.shoe_size")
