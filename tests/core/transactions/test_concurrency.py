"""Two simultaneous deliveries of one purchase, on two database connections, store one row.

The second insert waits on the unique index for the first transaction; when that commits,
``ON CONFLICT DO NOTHING`` yields nothing and the second request answers the stored row.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from rapport.core.transactions import record_transaction
from rapport.db.session import make_engine, make_sessionmaker, tenant_session
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal
from tests.conftest import TenantHandle, sign_up
from tests.core.deals.support import member_id

BODY = {
    "external_id": "pos-42/000017",
    "currency": "UAH",
    "amount": Decimal("149.90"),
    "channel": "store",
    "occurred_at": datetime(2031, 6, 1, 9, 30, tzinfo=UTC),
}


def owner(client, t: TenantHandle) -> Principal:
    me = client.get("/api/v1/me", headers=t.headers).json()
    return Principal(
        user_id=uuid.UUID(me["user"]["id"]),
        email=t.owner_email,
        full_name=me["user"].get("full_name", ""),
        tenant_id=uuid.UUID(t.id),
        tenant_slug=t.slug,
        tenant_name=me["tenant"]["name"],
        membership_id=uuid.UUID(member_id(client, t)),
        role="owner",
    )


def _waiting_on_a_lock(database) -> bool:
    with database.connect_superuser() as conn:
        return bool(conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO transactions%'"
        ).fetchone()[0])


async def _race(
    database, actor: Principal, hooks: TenantHooks, *, first_commits: bool
) -> tuple[bool, bool, str]:
    engine = make_engine(database.app_url, pool_size=2)
    maker = make_sessionmaker(engine)

    async def second() -> tuple[bool, str]:
        async with tenant_session(maker, actor.tenant_id, actor.user_id) as session:
            recorded = await record_transaction(session, actor, BODY, hooks)
            return recorded.created, str(recorded.transaction.id)

    try:
        first = maker()  # the session's after_begin listener reads these
        first.info.update(tenant_id=actor.tenant_id, user_id=actor.user_id)
        first_created = (await record_transaction(first, actor, BODY, hooks)).created
        racing = asyncio.create_task(second())
        for _ in range(100):  # until the second insert blocks on the unique index
            await asyncio.sleep(0.02)
            if await asyncio.to_thread(_waiting_on_a_lock, database):
                break
        else:
            raise AssertionError("the second insert never waited for the first")
        assert not racing.done()
        await (first.commit() if first_commits else first.rollback())
        await first.close()
        second_created, second_id = await racing
        return first_created, second_created, second_id
    finally:
        await engine.dispose()


def _rows(database, tenant_id: str) -> list[str]:
    with database.connect_superuser() as conn:
        return [str(r[0]) for r in conn.execute(
            "SELECT id FROM transactions WHERE tenant_id = %s AND external_id = %s",
            (tenant_id, BODY["external_id"]),
        )]


def test_two_simultaneous_posts_store_one_row(client, database):
    tenant = sign_up(client)
    actor = owner(client, tenant)
    hooks = client.app.state.registry.for_tenant(actor.modules)
    first, second, second_id = asyncio.run(_race(database, actor, hooks, first_commits=True))
    assert (first, second) == (True, False)
    assert _rows(database, tenant.id) == [second_id]


def test_if_the_first_rolls_back_the_second_stores_it(client, database):
    tenant = sign_up(client)
    actor = owner(client, tenant)
    hooks = client.app.state.registry.for_tenant(actor.modules)
    first, second, second_id = asyncio.run(_race(database, actor, hooks, first_commits=False))
    assert (first, second) == (True, True)
    assert _rows(database, tenant.id) == [second_id]
