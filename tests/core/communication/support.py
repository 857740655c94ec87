"""Shared steps of the communication tests: contacts with consent, templates, campaigns,
and one worker pass through the app's own engine and loop (the TestClient's portal)."""

from __future__ import annotations

import functools
from datetime import timedelta
from typing import Any

from rapport.core.communication.senders import Senders, default_senders
from rapport.core.communication.sending import Run, send_due
from tests.conftest import TenantHandle


def contact(client, t: TenantHandle, headers: dict | None = None, **values: Any) -> str:
    r = client.post("/api/v1/contacts", json=values, headers=headers or t.headers,
                    params={"allow_duplicate": "true"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def consent(client, t: TenantHandle, contact_id: str, channel: str, status: str,
            topic: str = "offers") -> None:
    r = client.post(f"/api/v1/contacts/{contact_id}/consent", headers=t.headers, json={
        "channel": channel, "topic": topic, "status": status, "source": "web form"})
    assert r.status_code == 201, r.text


def template(client, t: TenantHandle, **values: Any) -> dict:
    body = {"name": "Spring offer", "channel": "email", "language": "uk",
            "subject": "{{ salutation }}!", "body": "{{ salutation }}!\n\n{{ member.signature }}",
            **values}
    r = client.post("/api/v1/templates", json=body, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def campaign(client, t: TenantHandle, template_id: str, definition: dict, **values: Any) -> dict:
    r = client.post("/api/v1/campaigns", headers=t.headers, json={
        "name": values.pop("name", "Spring"), "template_id": template_id,
        "definition": definition, **values})
    assert r.status_code == 201, r.text
    return r.json()


def run_pass(client, senders: Senders | None = None, **options: Any) -> int:
    """One pass of campaign sending over every tenant (the suite shares one database)."""
    state = client.app.state
    run = Run(state.sessionmaker, state.registry, state.settings,
              senders if senders is not None else default_senders(state.settings), **options)
    return client.blocking_portal.call(functools.partial(send_due, run, 1_000_000))


def send_all(client, senders: Senders | None = None, **options: Any) -> int:
    sent = 0
    for _ in range(20):
        n = run_pass(client, senders, **options)
        sent += n
        if n == 0:
            return sent
    return sent


NO_LEASE = {"lease": timedelta(0)}
