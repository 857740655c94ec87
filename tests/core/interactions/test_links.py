"""Interactions linked to deals and purchases, and the purchases credited in the report."""

from __future__ import annotations

from tests.conftest import TenantHandle
from tests.core.interactions.support import INTERACTIONS, contact, log, member, user_id_of


def _purchase(client, org: TenantHandle, person: str, at: str) -> str:
    r = client.post(
        "/api/v1/transactions",
        json={
            "contact_id": person,
            "amount": "42.50",
            "currency": "UAH",
            "occurred_at": at,
            "channel": "store",
        },
        headers=org.headers,
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_links_to_the_tenants_deal_and_purchase_only(client, tenant, other_tenant):
    person = contact(client, tenant)
    deal = client.post(
        "/api/v1/deals",
        json={"title": "Fleet renewal", "contact_id": person},
        headers=tenant.headers,
    )
    assert deal.status_code == 201, deal.text
    sale = _purchase(client, tenant, person, "2025-05-10T10:00:00Z")
    made = log(
        client,
        tenant.headers,
        person,
        kind="purchase",
        deal_id=deal.json()["id"],
        transaction_id=sale,
    )
    assert (made["deal_id"], made["transaction_id"]) == (deal.json()["id"], sale)
    theirs = _purchase(client, other_tenant, contact(client, other_tenant), "2025-05-10T10:00:00Z")
    r = client.patch(
        f"{INTERACTIONS}/{made['id']}", json={"transaction_id": theirs}, headers=tenant.headers
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "transaction_id"


def test_the_report_credits_purchases_within_30_days_of_a_touch(client, tenant):
    seller = member(client, tenant)
    anna, boris = contact(client, tenant, "Anna"), contact(client, tenant, "Boris")
    log(client, seller, anna, occurred_at="2025-05-02T10:00:00Z")
    log(client, seller, boris, occurred_at="2025-05-03T10:00:00Z")
    _purchase(client, tenant, anna, "2025-05-20T10:00:00Z")
    _purchase(client, tenant, boris, "2025-06-20T10:00:00Z")  # 48 days later
    report = client.get(
        "/api/v1/reports/activity",
        params={"since": "2025-05-01T00:00:00Z", "until": "2025-06-01T00:00:00Z"},
        headers=tenant.headers,
    ).json()
    assert report["purchases_tracked"] is True
    (row,) = [m for m in report["members"] if m["member_id"] == user_id_of(client, seller)]
    assert (row["contacts_touched"], row["purchases_followed"], row["contacts_converted"]) == (
        2,
        1,
        1,
    )
