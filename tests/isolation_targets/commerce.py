"""Deals, tasks, transactions and consent: every endpoint with an id in its path."""

from __future__ import annotations

from tests.conftest import TenantHandle
from tests.isolation_targets import Target


def _contact(client, t: TenantHandle) -> str:
    r = client.post("/api/v1/contacts", json={"given_name": "Victim"}, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def _deal(client, t: TenantHandle) -> dict[str, str]:
    r = client.post(
        "/api/v1/deals", json={"title": "Victim's deal", "amount": "10", "currency": "EUR"},
        headers=t.headers,
    )
    assert r.status_code == 201, r.text
    return {"deal_id": r.json()["id"], "name": "qualify"}


def _task(client, t: TenantHandle) -> dict[str, str]:
    r = client.post("/api/v1/tasks", json={"title": "Victim's task"}, headers=t.headers)
    assert r.status_code == 201, r.text
    return {"task_id": r.json()["id"]}


def _transaction(client, t: TenantHandle) -> dict[str, str]:
    r = client.post(
        "/api/v1/transactions",
        json={"amount": "12.50", "currency": "EUR", "channel": "store",
              "occurred_at": "2030-01-01T10:00:00Z", "external_id": "victim-1"},
        headers=t.headers,
    )
    assert r.status_code == 201, r.text
    return {"transaction_id": r.json()["id"]}


def _consenting(client, t: TenantHandle) -> dict[str, str]:
    contact_id = _contact(client, t)
    r = client.post(
        f"/api/v1/contacts/{contact_id}/consent",
        json={"channel": "email", "topic": "newsletter", "status": "opt_in", "source": "web"},
        headers=t.headers,
    )
    assert r.status_code == 201, r.text
    return {"contact_id": contact_id}


TARGETS: dict[str, Target] = {
    "/api/v1/deals/{deal_id}": Target(
        _deal, {"GET": None, "PATCH": {"title": "Hijacked"}, "DELETE": None}
    ),
    "/api/v1/deals/{deal_id}/transitions/{name}": Target(_deal, {"POST": None}),
    "/api/v1/tasks/{task_id}": Target(
        _task, {"GET": None, "PATCH": {"title": "Hijacked"}, "DELETE": None}
    ),
    "/api/v1/tasks/{task_id}/complete": Target(_task, {"POST": None}),
    "/api/v1/transactions/{transaction_id}": Target(_transaction, {"GET": None}),
    "/api/v1/contacts/{contact_id}/consent": Target(
        _consenting,
        {
            "GET": None,
            "POST": {"channel": "email", "topic": "newsletter", "status": "opt_out",
                     "source": "attacker"},
        },
    ),
    "/api/v1/contacts/{contact_id}/consent/history": Target(_consenting, {"GET": None}),
    "/api/v1/contacts/{contact_id}/contact-policy": Target(
        _consenting, {"PUT": {"do_not_contact": True}}
    ),
    "/api/v1/contacts/{contact_id}/may-contact": Target(_consenting, {"GET": None}),
}
