"""The worker's retail pass: past-due batches expire and today's birthdays get their bonus
and a ``retail.birthday`` event, once, for tenants that enabled retail only."""

from __future__ import annotations

import asyncio
from datetime import date

from rapport.db.session import make_engine, make_sessionmaker
from rapport.hooks import PeriodicWork, load_registry
from rapport_plugins.retail import work
from tests.plugins.retail.support import R, buy, customer, shop


def _pass(database) -> int:
    async def run() -> int:
        engine = make_engine(database.app_url, pool_size=1, max_overflow=0)
        try:
            return await work.run(PeriodicWork(make_sessionmaker(engine), load_registry(),
                                               batch=500, max_tenants=100_000))
        finally:
            await engine.dispose()
    return asyncio.run(run())


def test_worker_expires_and_celebrates_once(client, database):
    s = shop(client, birthday_bonus=25)
    today = date.today()
    born = today.replace(year=1979) if (today.month, today.day) != (2, 29) else today
    member = customer(client, s, birthday=born.isoformat())
    buy(client, s, member["cards"][0]["number"], "w-1", "60")
    with database.connect_superuser() as conn:
        conn.execute("UPDATE retail_ledger SET expires_at = now() - interval '1 day' "
                     "WHERE member_id = %s AND kind = 'earn'", (member["id"],))
    off = shop(client, birthday_bonus=25)
    quiet = customer(client, off, birthday=born.isoformat())
    assert client.delete("/api/v1/modules/retail", headers=off.headers).status_code in (
        200, 204)
    assert _pass(database) >= 2
    _pass(database)
    ledger = client.get(f"{R}/members/{member['id']}/ledger", headers=s.headers).json()
    assert ledger["balance"] == 25
    assert sorted(e["kind"] for e in ledger["items"]) == ["bonus", "earn", "expire"]
    with database.connect_superuser() as conn:
        events = conn.execute("SELECT count(*) FROM event_outbox WHERE tenant_id = %s AND "
                              "name = 'retail.birthday'", (s.tenant.id,)).fetchone()[0]
        untouched = conn.execute("SELECT balance FROM retail_members WHERE id = %s",
                                 (quiet["id"],)).fetchone()[0]
    assert events == 1
    assert untouched == 0  # retail is off there: no birthday bonus


def test_worker_warns_before_a_downgrade_once_a_period(client, database):
    s = shop(client, tier_warning_days=365)  # the calendar year's end is always in reach
    for name, threshold in (("Silver", 0), ("Gold", 300)):
        client.post(f"{R}/programs/{s.program_id}/tiers",
                    json={"name": name, "threshold": threshold}, headers=s.headers)
    short = customer(client, s)
    safe = customer(client, s, given_name="Ivan")
    for m, tag in ((short, "w-s"), (safe, "w-k")):
        assert buy(client, s, m["cards"][0]["number"], tag, "400").json()["tier_after"] == "Gold"
    with database.connect_superuser() as conn:  # a new period began: 100 points so far
        conn.execute("UPDATE retail_members SET qualifying_points = 100 WHERE id = %s",
                     (short["id"],))
    _pass(database)
    _pass(database)
    with database.connect_superuser() as conn:
        rows = conn.execute("SELECT record_id, payload FROM event_outbox WHERE tenant_id = %s"
                            " AND name = 'retail.tier_warning'", (s.tenant.id,)).fetchall()
    assert len(rows) == 1 and str(rows[0][0]) == short["id"]
    assert rows[0][1]["points_to_keep"] == 200 and rows[0][1]["tier"] == "Gold"
    assert rows[0][1]["period_ends"].endswith("-01-01")
