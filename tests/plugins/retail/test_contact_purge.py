"""A contact deleted for good (purged from the trash, by a person or by the worker after
``RAPPORT_TRASH_DAYS``) takes its identity with it but not its points ledger: the
memberships are erased as on request, the anonymised ledger stays for the accounts."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from rapport.core.modules.enabled import enabled_modules
from rapport.core.trash.service import purge_tenant
from rapport.db.session import make_engine, make_sessionmaker, tenant_session
from rapport.hooks import load_registry
from tests.plugins.retail.support import R, buy, customer, shop


def _kept(client, s, member: dict, card: str, balance: int) -> None:
    got = client.get(f"{R}/members/{member['id']}", headers=s.headers).json()
    assert got["contact_id"] is None and got["erased_at"] and got["cards"] == []
    ledger = client.get(f"{R}/members/{member['id']}/ledger", headers=s.headers).json()
    assert ledger["balance"] == balance and [e["kind"] for e in ledger["items"]] == ["earn"]
    assert client.get(f"{R}/till/cards/{card}", headers=s.cashier).status_code == 404


def test_purging_a_contact_keeps_its_ledger_anonymised(client, database):
    s = shop(client)
    member = customer(client, s)
    card = member["cards"][0]["number"]
    assert buy(client, s, card, "p-1", "70").status_code == 201
    contact = member["contact_id"]
    assert client.delete(f"/api/v1/contacts/{contact}", headers=s.headers).status_code == 204
    # In the trash the membership is untouched (a restore brings everything back).
    assert client.get(f"{R}/members/{member['id']}",
                      headers=s.headers).json()["contact_id"] == contact
    r = client.delete(f"/api/v1/trash/contacts/{contact}", headers=s.headers)
    assert r.status_code == 204, r.text
    _kept(client, s, member, card, 70)
    with database.connect_superuser() as conn:
        erased = conn.execute("SELECT count(*) FROM event_outbox WHERE tenant_id = %s AND"
                              " name = 'retail.member_erased' AND record_id = %s",
                              (s.tenant.id, member["id"])).fetchone()[0]
        logged = conn.execute("SELECT detail->>'erased' FROM audit_events WHERE tenant_id = %s"
                              " AND record_id = %s AND action = 'delete'",
                              (s.tenant.id, member["id"])).fetchall()
    assert erased == 1 and logged == [("contact purged; ledger kept anonymised",)]


def test_the_worker_s_purge_keeps_the_ledger_too(client, database):
    s = shop(client)
    member = customer(client, s, given_name="Expired")
    card = member["cards"][0]["number"]
    assert buy(client, s, card, "p-2", "30").status_code == 201
    assert client.delete(f"/api/v1/contacts/{member['contact_id']}",
                         headers=s.headers).status_code == 204

    async def run() -> int:
        engine = make_engine(database.app_url, pool_size=1)
        tenant = uuid.UUID(s.tenant.id)
        try:
            async with tenant_session(make_sessionmaker(engine), tenant) as session:
                hooks = load_registry().for_tenant(await enabled_modules(session, tenant))
                return await purge_tenant(session, hooks, tenant,
                                          datetime.now(UTC) + timedelta(minutes=1))
        finally:
            await engine.dispose()

    assert asyncio.run(run()) == 1
    _kept(client, s, member, card, 30)
