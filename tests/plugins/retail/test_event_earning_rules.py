"""The event path's set-based earning keeps the till's rules: SKU, category and campaign
multipliers, gift-card lines, minimum purchase, rounding, the daily cap as a running sum,
staff points that do not qualify — the same points as ``earning.points_for`` would give."""

from __future__ import annotations

from tests.plugins.retail.support import R, customer, shop
from tests.plugins.retail.test_event_earning import _ledger, _pass


def _record(client, s, contact_id: str, external_id: str, *, amount: str | None = None,
            lines: list[dict] | None = None) -> None:
    body = {"currency": "UAH", "occurred_at": "2026-01-05T10:00:00Z", "channel": "web",
            "external_id": external_id, "contact_id": contact_id}
    body.update({"lines": lines} if lines else {"amount": amount})
    r = client.post("/api/v1/transactions", json=body, headers=s.headers)
    assert r.status_code == 201, r.text


def test_a_batch_earns_by_the_tills_rules(client, database):
    s = shop(client, points_per_unit="0.1", rounding="nearest", min_purchase="20",
             daily_earn_cap=35)
    rules = f"{R}/programs/{s.program_id}/rules"
    for rule in ({"name": "Coffee x3", "sku": "COFFEE", "multiplier": "3"},
                 {"name": "Dairy x2", "category": "dairy", "multiplier": "2"},
                 {"name": "Old", "multiplier": "5", "starts_at": "2020-01-01T00:00:00Z",
                  "ends_at": "2020-02-01T00:00:00Z"},
                 {"name": "Winter x2", "multiplier": "2", "starts_at": "2025-12-01T00:00:00Z",
                  "ends_at": "2026-03-01T00:00:00Z"}):
        assert client.post(rules, json=rule, headers=s.headers).status_code == 201
    for sku, category in (("MILK-1L", "dairy"), ("GIFT-50", "gift_card")):
        assert client.put(f"{R}/products", json={"sku": sku, "category": category},
                          headers=s.headers).status_code == 200
    olena = customer(client, s)
    contact = client.post("/api/v1/contacts", json={"given_name": "Ivan", "family_name": "K"},
                          headers=s.headers).json()
    ivan = client.post(f"{R}/members", json={"contact_id": contact["id"], "staff": True,
                                             "program_id": s.program_id}, headers=s.headers)
    assert ivan.status_code == 201, ivan.text
    basket = [{"product": "COFFEE", "quantity": "2", "unit_price": "10"},
              {"product": "MILK-1L", "quantity": "1", "unit_price": "30"},
              {"product": "BREAD", "quantity": "1", "unit_price": "15"},
              {"product": "GIFT-50", "quantity": "1", "unit_price": "50"}]
    _record(client, s, olena["contact_id"], "r-1", lines=basket)
    _record(client, s, ivan.json()["contact_id"], "r-2", amount="40")
    _record(client, s, olena["contact_id"], "r-3", amount="27.5")  # 5.5 rounds to 6
    _record(client, s, olena["contact_id"], "r-4", amount="10")  # below the minimum
    _record(client, s, olena["contact_id"], "r-5", amount="100")  # 20, capped to 2
    _record(client, s, olena["contact_id"], "r-6", amount="50")  # the cap is reached
    _pass(database)
    # (20 * 3 + 30 * 2 + 15, the gift card not) * 0.1 * 2 (the winter campaign) = 27.
    ledger = _ledger(client, s, olena)
    assert sorted(e["points"] for e in ledger["items"]) == [2, 6, 27]
    assert ledger["balance"] == 35
    staff = _ledger(client, s, ivan.json())
    assert staff["balance"] == 8 and [e["qualifying"] for e in staff["items"]] == [False]
    with database.connect_superuser() as conn:
        figures = conn.execute(
            "SELECT staff, balance, qualifying_points FROM retail_members WHERE tenant_id = %s"
            " ORDER BY staff", (s.tenant.id,)).fetchall()
        # One event a batch, its earnings in order (docs/retail.md, Events).
        earned = [e for row in conn.execute(
            "SELECT payload FROM event_outbox WHERE tenant_id = %s"
            " AND name = 'retail.points_earned' ORDER BY id", (s.tenant.id,))
            for e in row[0]["earnings"]]
    assert figures == [(False, 35, 35), (True, 8, 0)]
    assert [(e["points"], e["balance"]) for e in earned
            if e["member_id"] == olena["id"]] == [(27, 27), (6, 33), (2, 35)]
