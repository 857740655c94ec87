"""The contact timeline: interactions merged with plugin entries, paged exactly."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from tests.conftest import TenantHandle
from tests.core.interactions.support import contact, log


def _timeline(client, org: TenantHandle, person: str, **params):
    r = client.get(f"/api/v1/contacts/{person}/timeline", params=params, headers=org.headers)
    assert r.status_code == 200, r.text
    return r.json()


def _walk(client, org: TenantHandle, person: str, limit: int) -> list[tuple[str, str]]:
    seen, cursor = [], None
    while True:
        page = _timeline(client, org, person, limit=limit, **({"cursor": cursor} if cursor else {}))
        assert len(page["items"]) <= limit
        seen += [(i["source"], i["record_id"]) for i in page["items"]]
        if not (cursor := page["next_cursor"]):
            return seen


def _with_stamps(client, org: TenantHandle, database) -> tuple[str, str]:
    """A contact whose stamps card (issued on creation) is on the timeline; returns the
    contact and the card's exact creation time."""
    assert client.put("/api/v1/modules/stamps", headers=org.headers).status_code == 200
    person = contact(client, org, "Marta")
    with database.connect_superuser() as conn:
        at = conn.execute(
            "SELECT created_at FROM stamps_cards WHERE contact_id = %s", (person,)
        ).fetchone()[0]
    return person, at


def test_interactions_and_plugin_entries_merge_newest_first(client, database, tenant):
    person, card_at = _with_stamps(client, tenant, database)
    later = log(
        client,
        tenant.headers,
        person,
        subject="Thanked for the visit",
        occurred_at=(card_at + timedelta(minutes=5)).isoformat(),
        outcome="happy",
    )
    earlier = log(
        client,
        tenant.headers,
        person,
        kind="ad_impression",
        campaign="Spring",
        touchpoint="instagram story",
        occurred_at=(card_at - timedelta(days=1)).isoformat(),
    )
    items = _timeline(client, tenant, person)["items"]
    assert [(i["source"], i["kind"], i["title"]) for i in items] == [
        ("interactions", "call", "Thanked for the visit"),
        ("stamps", "stamps.card", "Stamp card issued"),
        ("interactions", "ad_impression", "Ad impression"),
    ]
    assert items[0]["record_id"] == later["id"] and items[0]["summary"] == "happy"
    assert items[2]["record_id"] == earlier["id"] and items[2]["record_type"] == "interaction"
    assert items[2]["data"]["campaign"] == "Spring"
    assert items[2]["data"]["touchpoint"] == "instagram story"
    # Switching the module off hides its entries, never the kernel's.
    client.delete("/api/v1/modules/stamps", headers=tenant.headers)
    assert [i["source"] for i in _timeline(client, tenant, person)["items"]] == [
        "interactions",
        "interactions",
    ]


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_paging_is_exact_when_entries_share_a_timestamp(client, database, tenant, limit):
    person, card_at = _with_stamps(client, tenant, database)
    # Four more cards at the very same instant: the plugin's answer at the cursor's time
    # is then wider than the page, which a bare "before" time cannot page through.
    with database.connect_superuser() as conn:
        for _ in range(4):
            conn.execute(
                "INSERT INTO stamps_cards (tenant_id, id, contact_id, stamps, state, created_at)"
                " VALUES (%s, %s, %s, 0, 'active', %s)",
                (tenant.id, uuid.uuid4(), person, card_at),
            )
    same = card_at.isoformat()
    for n in range(5):
        log(client, tenant.headers, person, occurred_at=same, subject=f"Same instant {n}")
    for hours in (-2, -1, 1):
        log(
            client,
            tenant.headers,
            person,
            occurred_at=(card_at + timedelta(hours=hours)).isoformat(),
        )
    everything = _timeline(client, tenant, person, limit=200)
    assert everything["next_cursor"] is None
    full = [(i["source"], i["record_id"]) for i in everything["items"]]
    assert len(full) == 13 and len(set(full)) == 13
    assert [i["at"] for i in everything["items"]] == sorted(
        (i["at"] for i in everything["items"]), reverse=True
    )
    assert _walk(client, tenant, person, limit) == full


def test_before_narrows_and_bad_paging_input_is_refused(client, tenant):
    person = contact(client, tenant)
    old = log(client, tenant.headers, person, occurred_at="2024-05-01T10:00:00Z")
    log(client, tenant.headers, person, occurred_at="2024-06-01T10:00:00Z")
    page = _timeline(client, tenant, person, before="2024-06-01T10:00:00Z")
    assert [i["record_id"] for i in page["items"]] == [old["id"]]
    url = f"/api/v1/contacts/{person}/timeline"
    h = tenant.headers
    assert client.get(url, params={"cursor": "not-ours"}, headers=h).status_code == 400
    forged = "WyIyMDI0LTAxLTAxVDAwOjAwOjAwWiIsIm5vdC1hLXV1aWQiLCJhIiwiYiIsImMiXQ"
    assert client.get(url, params={"cursor": forged}, headers=h).status_code == 400
    r = client.get(url, params={"before": "2024-06-01T10:00:00"}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "before"
    assert client.get(url, params={"limit": 0}, headers=h).status_code == 422
