"""The contact view's "open deals" and "open tasks" sections, one query each."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import event

from rapport.db.session import make_engine, make_sessionmaker, tenant_session
from rapport.hooks import ContactSummaryQuery, resolve_summaries
from tests.conftest import sign_up
from tests.core.deals.support import contact


def summary(client, database, tenant_id: str, contact_id: str) -> tuple[dict, list[str]]:
    """Every area's answer to ``rapport_contact_summary``, merged, and the SQL it ran (the
    answers given as SQL expressions run together, in one statement)."""
    hooks = client.app.state.registry.for_tenant(frozenset())
    statements: list[str] = []

    async def ask() -> list:
        engine = make_engine(database.app_url, pool_size=1)
        event.listen(engine.sync_engine, "before_cursor_execute",
                     lambda conn, cursor, sql, *args: statements.append(sql))
        try:
            async with tenant_session(make_sessionmaker(engine), uuid.UUID(tenant_id)) as session:
                query = ContactSummaryQuery(uuid.UUID(tenant_id), uuid.UUID(contact_id), session,
                                            None)
                answers = await hooks.call_each("rapport_contact_summary", query=query)
                return await resolve_summaries(query, answers)
        finally:
            await engine.dispose()

    merged: dict = {}
    for _, part in asyncio.run(ask()):
        merged.update(part)
    return merged, statements


def test_open_deals_and_tasks_of_a_contact(client, database):
    tenant = sign_up(client)
    h = tenant.headers
    # The tenant's own closing stage counts as closed too.
    client.put("/api/v1/workflows/deals.pipeline/stages",
               json={"stages": [{"key": "parked", "label": "Parked", "terminal": True}]},
               headers=h)
    who, other = contact(client, tenant), contact(client, tenant, "Other")

    def deal(title: str, move: str | None = None) -> str:
        r = client.post("/api/v1/deals", json={"title": title, "contact_id": who,
                                               "amount": "100", "currency": "EUR"}, headers=h)
        deal_id = r.json()["id"]
        if move:
            r = client.post(f"/api/v1/deals/{deal_id}/transitions/{move}", headers=h)
            assert r.status_code == 200, r.text
        return deal_id

    open_ids = [deal("Lead"), deal("Qualified", "qualify")]
    deal("Won", "win"), deal("Lost", "lose"), deal("Parked", "move_to_parked")
    client.post("/api/v1/deals", json={"title": "Someone else's", "contact_id": other},
                headers=h)

    def task(title: str, due_in_hours: float | None) -> str:
        due = None if due_in_hours is None else (
            datetime.now(UTC) + timedelta(hours=due_in_hours)).isoformat()
        r = client.post("/api/v1/tasks", json={"title": title, "contact_id": who, "due_at": due},
                        headers=h)
        return r.json()["id"]

    undated, later, sooner = task("Undated", None), task("Later", 48), task("Sooner", 2)
    done = task("Done", 1)
    client.post(f"/api/v1/tasks/{done}/complete", headers=h)

    section, statements = summary(client, database, tenant.id, who)
    assert [d["id"] for d in section["open_deals"]] == open_ids[::-1]
    assert section["open_deals"][0] == {
        "id": open_ids[1], "title": "Qualified", "stage": "qualified", "amount": "100.00",
        "currency": "EUR", "expected_close_date": None,
        "owner_id": section["open_deals"][0]["owner_id"],
    }
    assert [t["id"] for t in section["open_tasks"]] == [sooner, later, undated]
    assert sum("FROM deals" in s for s in statements) == 1
    assert sum("FROM tasks" in s for s in statements) == 1


def test_the_contact_view_shows_both_sections(client, tenant):
    h = tenant.headers
    who = contact(client, tenant)
    deal = client.post("/api/v1/deals", json={"title": "Renewal", "contact_id": who},
                       headers=h).json()
    task = client.post("/api/v1/tasks", json={"title": "Call", "contact_id": who},
                       headers=h).json()
    view = client.get(f"/api/v1/contacts/{who}", headers=h)
    assert view.status_code == 200, view.text
    activity = view.json()["activity"]
    assert [d["id"] for d in activity["open_deals"]] == [deal["id"]]
    assert [t["id"] for t in activity["open_tasks"]] == [task["id"]]
