"""The activity report per employee: what each did, and what followed."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from rapport.core.reports.activity import activity_report
from rapport.db.session import make_engine, make_sessionmaker, tenant_session
from rapport.tenancy.principal import Principal
from tests.conftest import Database, TenantHandle
from tests.core.interactions.support import contact, log, member, user_id_of

REPORT = "/api/v1/reports/activity"
PERIOD = {"since": "2025-05-01T00:00:00Z", "until": "2025-06-01T00:00:00Z"}


def _transactions_table(database: Database) -> bool:
    with database.connect_owner() as conn:
        return conn.execute("SELECT to_regclass('transactions') IS NOT NULL").fetchone()[0]


def test_each_member_with_kinds_contacts_and_the_idle_ones_too(client, database, tenant):
    seller, viewer = member(client, tenant), member(client, tenant, "viewer")
    anna, boris = contact(client, tenant, "Anna"), contact(client, tenant, "Boris")
    for person, kind, day in ((anna, "call", 2), (anna, "call", 3), (boris, "visit", 4)):
        log(client, seller, person, kind=kind, occurred_at=f"2025-05-0{day}T10:00:00Z")
    log(client, tenant.headers, anna, kind="email", occurred_at="2025-05-20T10:00:00Z")
    log(client, seller, boris, kind="call", occurred_at="2025-06-01T00:00:00Z")  # after the period
    r = client.get(REPORT, params=PERIOD, headers=tenant.headers)
    assert r.status_code == 200, r.text
    report = r.json()
    rows = {m["member_id"]: m for m in report["members"]}
    seller_row = rows[user_id_of(client, seller)]
    assert (
        seller_row["interactions"],
        seller_row["by_kind"],
        seller_row["contacts_touched"],
        seller_row["member_name"],
        seller_row["current_member"],
    ) == (3, {"call": 2, "visit": 1}, 2, "A member", True)
    owner_row = rows[user_id_of(client, tenant.headers)]
    assert (owner_row["interactions"], owner_row["by_kind"]) == (1, {"email": 1})
    idle = rows[user_id_of(client, viewer)]
    assert (idle["interactions"], idle["by_kind"], idle["contacts_touched"]) == (0, {}, 0)
    assert [m["interactions"] for m in report["members"]] == [3, 1, 0]
    assert report["purchases_tracked"] is _transactions_table(database)
    if not report["purchases_tracked"]:
        assert seller_row["purchases_followed"] is None


def test_only_owners_and_admins_and_bad_periods_are_named(client, tenant):
    assert client.get(REPORT, headers=member(client, tenant)).status_code == 403
    assert client.get(REPORT, headers=member(client, tenant, "admin")).status_code == 200
    backwards = {"since": PERIOD["until"], "until": PERIOD["since"]}
    r = client.get(REPORT, params=backwards, headers=tenant.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "until"
    r = client.get(REPORT, params={"since": "2025-05-01T00:00:00"}, headers=tenant.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "since"


def test_the_default_period_is_the_last_30_days(client, tenant):
    report = client.get(REPORT, headers=tenant.headers).json()
    since, until = (datetime.fromisoformat(report[k]) for k in ("since", "until"))
    assert until - since == timedelta(days=30)
    assert abs(until - datetime.now(UTC)) < timedelta(minutes=1)


def test_purchases_within_30_days_after_a_touch_are_credited(
    client, database: Database, tenant: TenantHandle
):
    """Run against a stand-in ``transactions`` table (a temporary table shadows any real
    one in this session), so the rule is proven whatever the commerce area stores."""
    seller = member(client, tenant)
    anna, boris, cyril = (contact(client, tenant, n) for n in ("Anna", "Boris", "Cyril"))
    log(client, seller, anna, occurred_at="2025-05-02T10:00:00Z")
    log(client, seller, anna, kind="email", occurred_at="2025-05-10T10:00:00Z")
    log(client, seller, boris, occurred_at="2025-05-03T10:00:00Z")
    log(client, tenant.headers, cyril, occurred_at="2025-05-05T10:00:00Z")
    purchases = [
        (anna, "2025-05-12T10:00:00Z"),  # after both touches: one purchase, counted once
        (anna, "2025-04-30T10:00:00Z"),  # before any touch
        (boris, "2025-06-10T10:00:00Z"),  # 38 days later: too late
        (cyril, "2025-05-06T10:00:00Z"),  # the owner's customer
    ]
    seller_id = uuid.UUID(user_id_of(client, seller))
    owner_id = uuid.UUID(user_id_of(client, tenant.headers))
    actor = Principal(
        owner_id,
        tenant.owner_email,
        "Olena Owner",
        uuid.UUID(tenant.id),
        tenant.slug,
        tenant.slug,
        uuid.uuid4(),
        "owner",
    )

    async def run():
        engine = make_engine(database.app_url, pool_size=1)
        try:
            maker = make_sessionmaker(engine)
            async with tenant_session(maker, actor.tenant_id, owner_id) as session:
                conn = await session.connection()
                await conn.exec_driver_sql(
                    "CREATE TEMP TABLE transactions (tenant_id uuid, id uuid, contact_id uuid,"
                    " occurred_at timestamptz) ON COMMIT DROP"
                )
                for person, at in purchases:
                    await conn.exec_driver_sql(
                        "INSERT INTO transactions VALUES (%(t)s, gen_random_uuid(), %(c)s, %(a)s)",
                        {"t": actor.tenant_id, "c": person, "a": datetime.fromisoformat(at)},
                    )
                return await activity_report(
                    session,
                    actor,
                    since=datetime(2025, 5, 1, tzinfo=UTC),
                    until=datetime(2025, 6, 1, tzinfo=UTC),
                )
        finally:
            await engine.dispose()

    report = asyncio.run(run())
    assert report.purchases_tracked
    rows = {m.member_id: m for m in report.members}
    assert (rows[seller_id].purchases_followed, rows[seller_id].contacts_converted) == (1, 1)
    assert (rows[seller_id].contacts_touched, rows[seller_id].interactions) == (2, 3)
    assert (rows[owner_id].purchases_followed, rows[owner_id].contacts_converted) == (1, 1)


def test_a_former_members_work_in_the_period_still_counts(client, tenant):
    leaver = member(client, tenant)
    leaver_id = user_id_of(client, leaver)
    log(client, leaver, contact(client, tenant), occurred_at="2025-05-15T10:00:00Z")
    members = client.get("/api/v1/members", headers=tenant.headers).json()["items"]
    membership = next(m["id"] for m in members if m["user_id"] == leaver_id)
    assert client.delete(f"/api/v1/members/{membership}", headers=tenant.headers).status_code == 204
    rows = client.get(REPORT, params=PERIOD, headers=tenant.headers).json()["members"]
    (row,) = [m for m in rows if m["member_id"] == leaver_id]
    assert (row["current_member"], row["interactions"], row["member_name"]) == (
        False,
        1,
        "A member",
    )
