"""Tier periods that reset on each member's join anniversary: the worker settles a member
on the anniversary (once a year), keeping the tier the ended period earned (the grace) and
moving down a member whose points lie before it; members whose anniversary has not come
are left alone."""

from __future__ import annotations

from tests.plugins.retail.support import R, buy, customer, shop
from tests.plugins.retail.test_worker import _pass


def _gold_member(client, s, database, tag: str, joined: str, earned: str) -> dict:
    member = customer(client, s, given_name=tag)
    assert buy(client, s, member["cards"][0]["number"], f"a-{tag}",
               "400").json()["tier_after"] == "Gold"
    with database.connect_superuser() as conn:
        # Joined years ago, and so last settled a year ago.
        conn.execute(f"UPDATE retail_members SET joined_at = now() - interval '{joined}',"
                     " tier_settled_year = tier_settled_year - 1 WHERE id = %s",
                     (member["id"],))
        conn.execute(f"UPDATE retail_ledger SET created_at = now() - interval '{earned}'"
                     " WHERE member_id = %s", (member["id"],))
    return member


def test_worker_settles_tiers_on_each_members_anniversary(client, database):
    s = shop(client, tier_period="anniversary")
    for name, threshold in (("Silver", 0), ("Gold", 300)):
        client.post(f"{R}/programs/{s.program_id}/tiers",
                    json={"name": name, "threshold": threshold}, headers=s.headers)
    # Anniversary yesterday; the 400 points are older than the period that just ended.
    lapsed = _gold_member(client, s, database, "Lapsed", "2 years 1 day", "400 days")
    # Anniversary yesterday; the points were earned in the period that just ended: kept.
    kept = _gold_member(client, s, database, "Kept", "2 years 1 day", "200 days")
    # Anniversary tomorrow: not due yet, whatever its points.
    waiting = _gold_member(client, s, database, "Waiting", "2 years -1 day", "400 days")
    with database.connect_superuser() as conn:  # below Gold this period: warned, once
        conn.execute("UPDATE retail_members SET qualifying_points = 100 WHERE id = %s",
                     (waiting["id"],))
        ends = conn.execute("SELECT (now() AT TIME ZONE 'UTC')::date + 1").fetchone()[0]
    _pass(database)
    _pass(database)  # once a year: the second pass changes nothing

    def member(m: dict) -> dict:
        return client.get(f"{R}/members/{m['id']}", headers=s.headers).json()

    assert (member(lapsed)["tier"], member(lapsed)["qualifying_points"]) == ("Silver", 0)
    assert (member(kept)["tier"], member(kept)["qualifying_points"]) == ("Gold", 0)
    assert member(waiting)["tier"] == "Gold"
    with database.connect_superuser() as conn:
        warned = conn.execute("SELECT record_id, payload FROM event_outbox WHERE tenant_id = %s"
                              " AND name = 'retail.tier_warning'", (s.tenant.id,)).fetchall()
    assert [(str(r), p["points_to_keep"], p["period_ends"]) for r, p in warned] == [
        (waiting["id"], 200, ends.isoformat())]
    history = client.get(f"{R}/members/{lapsed['id']}/tier-history", headers=s.headers)
    assert ("Gold", "Silver", "period") in [(h["from_tier"], h["to_tier"], h["reason"])
                                            for h in history.json()]
    assert len(client.get(f"{R}/members/{kept['id']}/tier-history",
                          headers=s.headers).json()) == 1  # only the upgrade


def test_one_step_downgrade_moves_one_tier_per_period(client, database):
    s = shop(client, tier_period="anniversary", downgrade="one_step")
    for name, threshold in (("Silver", 0), ("Gold", 300), ("Platinum", 1000)):
        client.post(f"{R}/programs/{s.program_id}/tiers",
                    json={"name": name, "threshold": threshold}, headers=s.headers)
    member = customer(client, s, given_name="Step")
    assert buy(client, s, member["cards"][0]["number"], "p-1",
               "1200").json()["tier_after"] == "Platinum"
    with database.connect_superuser() as conn:
        conn.execute("UPDATE retail_members SET joined_at = now() - interval '2 years 1 day',"
                     " tier_settled_year = tier_settled_year - 1 WHERE id = %s",
                     (member["id"],))
        conn.execute("UPDATE retail_ledger SET created_at = now() - interval '400 days'"
                     " WHERE member_id = %s", (member["id"],))
    _pass(database)
    # No points in the ended period: the points support Silver, one step takes it to Gold.
    got = client.get(f"{R}/members/{member['id']}", headers=s.headers).json()
    assert got["tier"] == "Gold"
    program = client.get(f"{R}/programs/{s.program_id}", headers=s.headers).json()
    assert program["downgrade"] == "one_step"
