"""The door imports and integrations use (``upsert_contact``, one call per row, keyed by
external id or email), and the contact view with its owner and colleagues' activity."""

from __future__ import annotations

import asyncio
import uuid

from rapport.core.contacts import service
from rapport.core.contacts.service import WriteOptions
from rapport.core.facts import Provenance
from rapport.db.session import make_engine, make_sessionmaker, tenant_session
from rapport.tenancy.principal import Principal
from tests.core.contacts.support import CONTACTS, make


def _principal(client, t) -> Principal:
    me = client.get("/api/v1/me", headers=t.headers).json()
    return Principal(
        user_id=uuid.UUID(me["user"]["id"]), email=me["user"]["email"],
        full_name=me["user"]["full_name"], tenant_id=uuid.UUID(t.id), tenant_slug=t.slug,
        tenant_name=t.slug, membership_id=uuid.uuid4(), role="owner",
    )


def _run(client, database, actor, rows, key):
    """Upsert ``rows`` in one transaction, as an import would; (id, created) per row."""
    hooks = client.app.state.registry.for_tenant(actor.modules)

    async def go():
        engine = make_engine(database.app_url, pool_size=1)
        try:
            async with tenant_session(make_sessionmaker(engine), actor.tenant_id,
                                      actor.user_id) as session:
                out = []
                for row in rows:
                    record, created = await service.upsert_contact(
                        session, actor, row, [], hooks, key=key,
                        options=WriteOptions(provenance=Provenance("import", "crm.csv"),
                                             allow_duplicate=True),
                    )
                    out.append((str(record.id), created))
                return out
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_upsert_by_external_id_creates_then_updates(client, database, tenant):
    actor = _principal(client, tenant)
    first = _run(client, database, actor, [
        {"external_id": "row-1", "given_name": "Anna", "phones": ["+380671234567"]},
        {"external_id": "row-2", "given_name": "Borys"},
    ], "external_id")
    assert [created for _, created in first] == [True, True]
    again = _run(client, database, actor, [{"external_id": "row-1", "family_name": "Koval"}],
                 "external_id")
    assert again == [(first[0][0], False)]
    anna = client.get(f"{CONTACTS}/{first[0][0]}", headers=tenant.headers).json()
    assert (anna["given_name"], anna["family_name"]) == ("Anna", "Koval")
    assert anna["phones"][0]["number"] == "+380671234567"
    facts = client.get(f"{CONTACTS}/{first[0][0]}/facts", params={"field": "family_name"},
                       headers=tenant.headers).json()["fields"][0]["history"]
    assert facts[0]["channel"] == "import" and facts[0]["source"] == "crm.csv"


def test_upsert_by_email_finds_secondary_addresses(client, database, tenant):
    actor = _principal(client, tenant)
    c = make(client, tenant, given_name="Dana", emails=["dana@example.com", "d@work.example"])
    assert _run(client, database, actor, [{"email": "D@work.example", "source": "newsletter"}],
                "email") == [(c["id"], False)]
    assert client.get(f"{CONTACTS}/{c['id']}", headers=tenant.headers).json()["source"] == \
        "newsletter"


def test_view_shows_owner_and_what_colleagues_did(client, tenant):
    me = client.get("/api/v1/me", headers=tenant.headers).json()["user"]["id"]
    c = make(client, tenant, given_name="Client", owner_id=me)
    r = client.post("/api/v1/interactions", json={"contact_id": c["id"], "kind": "visit",
                                                  "subject": "Showroom"}, headers=tenant.headers)
    view = client.get(f"{CONTACTS}/{c['id']}", headers=tenant.headers).json()
    assert view["owner"] == {"user_id": me, "full_name": "Olena Owner",
                             "email": tenant.owner_email, "role": "owner"}
    if r.status_code == 201:  # the interactions area answers the summary hook
        last = view["activity"]["last_interactions"]
        assert [x["subject"] for x in last] == ["Showroom"]
    listed = client.get(CONTACTS, headers=tenant.headers).json()["items"][0]
    assert "activity" not in listed  # the list stays cheap: the view alone asks every area
