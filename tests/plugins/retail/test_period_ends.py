"""The worker settles tiers when a period ends, for every kind of period: calendar years
once the year is over (the grace keeps a tier the year that ended earned), rolling
12-month windows on the first of each month (a tier is kept 12 months after the member
moved to it), each member once; and warns rolling members whose window will not keep
their tier at the next review."""

from __future__ import annotations

from tests.plugins.retail.support import R, buy, customer, shop
from tests.plugins.retail.test_worker import _pass


def _gold(client, s, database, tag: str, earned: str, moved: str | None = None,
          **marks: str) -> dict:
    """A Gold member who joined years ago, earned their points at ``earned`` (SQL) and
    moved to Gold at ``moved`` (default: when they earned them)."""
    member = customer(client, s, given_name=tag)
    assert buy(client, s, member["cards"][0]["number"], f"g-{tag}",
               "400").json()["tier_after"] == "Gold"
    settled = ", ".join(f"{column} = {value}" for column, value in marks.items())
    with database.connect_superuser() as conn:
        conn.execute("UPDATE retail_members SET joined_at = now() - interval '3 years'"
                     + (f", {settled}" if settled else "") + " WHERE id = %s", (member["id"],))
        conn.execute(f"UPDATE retail_ledger SET created_at = {earned} WHERE member_id = %s",
                     (member["id"],))
        conn.execute(f"UPDATE retail_tier_history SET created_at = {moved or earned}"
                     " WHERE member_id = %s", (member["id"],))
    return member


def _tiers(client, s) -> None:
    for name, threshold in (("Silver", 0), ("Gold", 300)):
        r = client.post(f"{R}/programs/{s.program_id}/tiers",
                        json={"name": name, "threshold": threshold}, headers=s.headers)
        assert r.status_code == 201, r.text


def _state(client, s, member: dict) -> tuple[str, int]:
    got = client.get(f"{R}/members/{member['id']}", headers=s.headers).json()
    return got["tier"], got["qualifying_points"]


def _warnings(database, s) -> list[tuple[str, int, str]]:
    with database.connect_superuser() as conn:
        rows = conn.execute("SELECT record_id, payload FROM event_outbox WHERE tenant_id = %s"
                            " AND name = 'retail.tier_warning' ORDER BY id",
                            (s.tenant.id,)).fetchall()
    return [(str(r), p["points_to_keep"], p["period_ends"]) for r, p in rows]


def test_calendar_years_are_settled_by_the_worker_once_the_year_ends(client, database):
    s = shop(client, tier_period="calendar_year", time_zone="UTC")
    _tiers(client, s)
    last_year = "date_trunc('year', now()) - interval '100 days'"
    # Settled through last year; its points are two years old: down to Silver.
    lapsed = _gold(client, s, database, "Lapsed",
                   "date_trunc('year', now()) - interval '400 days'",
                   tier_settled_year="tier_settled_year - 1")
    # Settled through last year; the points were earned last year: the grace keeps Gold,
    # and this year's qualifying points start from nothing.
    kept = _gold(client, s, database, "Kept", last_year,
                 tier_settled_year="tier_settled_year - 1")
    # Already settled this year (by the worker or `tiers recompute`): left alone.
    done = _gold(client, s, database, "Done", "now() - interval '800 days'")
    # Joined this year: nothing before to settle.
    fresh = customer(client, s, given_name="Fresh")
    buy(client, s, fresh["cards"][0]["number"], "g-fresh", "400")
    _pass(database)
    _pass(database)  # once a year: the second pass changes nothing
    assert _state(client, s, lapsed) == ("Silver", 0)
    assert _state(client, s, kept) == ("Gold", 0)
    assert _state(client, s, done) == ("Gold", 400)
    assert _state(client, s, fresh) == ("Gold", 400)
    history = client.get(f"{R}/members/{lapsed['id']}/tier-history", headers=s.headers)
    assert [(h["from_tier"], h["to_tier"], h["reason"]) for h in history.json()].count(
        ("Gold", "Silver", "period")) == 1
    with database.connect_superuser() as conn:
        years = conn.execute("SELECT DISTINCT tier_settled_year FROM retail_members"
                             " WHERE tenant_id = %s", (s.tenant.id,)).fetchall()
        this_year = conn.execute("SELECT extract(year FROM now())::int").fetchone()[0]
    assert years == [(this_year,)]


def test_rolling_windows_are_reviewed_monthly_with_a_year_s_grace(client, database):
    s = shop(client, tier_period="rolling_12_months", time_zone="UTC", tier_warning_days=0)
    _tiers(client, s)
    # Points 13 months old, Gold reached then: down to Silver at the month's review.
    lapsed = _gold(client, s, database, "Lapsed", "now() - interval '13 months'",
                   tier_reviewed_on="NULL")
    # Points 13 months old, but moved to Gold 5 months ago: kept (a year's grace).
    graced = _gold(client, s, database, "Graced", "now() - interval '13 months'",
                   "now() - interval '5 months'", tier_reviewed_on="NULL")
    # Reviewed this month already: left alone until the next month.
    reviewed = _gold(client, s, database, "Reviewed", "now() - interval '13 months'")
    _pass(database)
    _pass(database)
    assert _state(client, s, lapsed) == ("Silver", 0)
    assert _state(client, s, graced) == ("Gold", 0)
    assert _state(client, s, reviewed) == ("Gold", 400)
    with database.connect_superuser() as conn:
        months = conn.execute("SELECT DISTINCT tier_reviewed_on FROM retail_members"
                              " WHERE tenant_id = %s", (s.tenant.id,)).fetchall()
        this_month = conn.execute("SELECT date_trunc('month', now())::date").fetchone()[0]
    assert months == [(this_month,)]
    assert _warnings(database, s) == []  # tier_warning_days 0: no warnings


def test_rolling_members_are_warned_before_the_review_that_would_lower_them(client, database):
    # 31 days: the next review (the first of next month) is always within the warning.
    s = shop(client, tier_period="rolling_12_months", time_zone="UTC", tier_warning_days=31)
    _tiers(client, s)
    review = "(date_trunc('month', now()) + interval '1 month')"
    # Out of the window at the next review, and no grace left then: warned.
    fading = _gold(client, s, database, "Fading", f"{review} - interval '12 months 1 day'")
    # Still in the window at the next review: not warned.
    safe = _gold(client, s, database, "Safe", f"{review} - interval '11 months'")
    _pass(database)
    _pass(database)  # once before each review
    with database.connect_superuser() as conn:
        ends = conn.execute(f"SELECT {review}::date").fetchone()[0]
    assert _warnings(database, s) == [(fading["id"], 300, ends.isoformat())]
    assert _state(client, s, safe)[0] == "Gold"
