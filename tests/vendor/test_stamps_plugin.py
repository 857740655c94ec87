"""The example vendor plugin, end to end: every hook of the contract through the public API."""

from __future__ import annotations

import os
import subprocess
import sys

from rapport.db.urls import libpq_url
from tests.conftest import TenantHandle, member_token


def _enable(client, t: TenantHandle) -> None:
    assert client.put("/api/v1/modules/stamps", headers=t.headers).status_code == 200


def _contact(client, t: TenantHandle, name: str, **fields) -> dict:
    body = {"given_name": name, "fields": fields} if fields else {"given_name": name}
    r = client.post("/api/v1/contacts", json=body, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _card_of(client, t: TenantHandle, contact_id: str) -> dict:
    cards = client.get("/api/v1/stamps/cards", headers=t.headers).json()
    return next(c for c in cards if c["contact_id"] == contact_id)


def test_event_hook_issues_a_card_with_the_tenants_settings(client, tenant):
    _enable(client, tenant)
    client.put("/api/v1/modules/stamps/settings",
               json={"stamps_per_reward": 10, "welcome_stamps": 2}, headers=tenant.headers)
    contact = _contact(client, tenant, "Lesya")
    card = _card_of(client, tenant, contact["id"])
    assert card["stamps"] == 2 and card["state"] == "active"


def test_workflow_through_the_plugin_route(client, tenant):
    _enable(client, tenant)
    h = tenant.headers
    card = _card_of(client, tenant, _contact(client, tenant, "Vasyl")["id"])
    base = f"/api/v1/stamps/cards/{card['id']}"
    r = client.post(f"{base}/transitions/fill", headers=h)
    assert r.status_code == 409 and "stamps" in r.text  # condition: at least 10 stamps
    for _ in range(10):
        assert client.post(f"{base}/stamp", headers=h).status_code == 200
    assert client.post(f"{base}/transitions/fill", headers=h).json()["state"] == "full"
    assert client.post(f"{base}/transitions/fill", headers=h).status_code == 409  # not from full
    # The generic workflow door shows the same history.
    state = client.get(f"/api/v1/workflows/stamps.card/records/{card['id']}", headers=h).json()
    assert state["state"]["key"] == "full"
    assert [e["transition"] for e in state["history"]][-1] == "fill"


def test_plugin_role_guard_on_a_transition(client, tenant):
    _enable(client, tenant)
    h = tenant.headers
    member, barista = (
        {"Authorization": "Bearer " + member_token(
            client, tenant, f"{role}-{tenant.slug}@example.com", role=role,
            password="a member password")}
        for role in ("member", "barista")
    )
    client.put("/api/v1/modules/stamps/settings", json={"welcome_stamps": 0}, headers=h)
    card = _card_of(client, tenant, _contact(client, tenant, "Halyna")["id"])
    base = f"/api/v1/stamps/cards/{card['id']}"
    for _ in range(10):
        client.post(f"{base}/stamp", headers=barista)
    client.post(f"{base}/transitions/fill", headers=h)
    assert client.post(f"{base}/transitions/redeem", headers=member).status_code == 403
    r = client.post(f"{base}/transitions/redeem", json={"note": "latte"}, headers=barista)
    assert r.status_code == 200 and r.json()["state"] == "redeemed"


def test_timeline_shows_plugin_records(client, tenant):
    _enable(client, tenant)
    contact = _contact(client, tenant, "Marta")
    r = client.get(f"/api/v1/contacts/{contact['id']}/timeline", headers=tenant.headers)
    assert r.status_code == 200
    items = r.json()["items"]
    assert [(i["kind"], i["source"]) for i in items] == [("stamps.card", "stamps")]
    client.delete("/api/v1/modules/stamps", headers=tenant.headers)
    r = client.get(f"/api/v1/contacts/{contact['id']}/timeline", headers=tenant.headers)
    assert r.json()["items"] == []


def test_plugin_fields_filter_and_compute(client, tenant):
    _enable(client, tenant)
    h = tenant.headers
    latte = _contact(client, tenant, "Lida", **{"stamps.favourite_drink": "latte"})
    _contact(client, tenant, "Ostap", **{"stamps.favourite_drink": "espresso"})
    r = client.get("/api/v1/contacts", params={"filter": "stamps.favourite_drink:eq:latte"},
                   headers=h)
    assert [c["id"] for c in r.json()["items"]] == [latte["id"]]
    card = _card_of(client, tenant, latte["id"])
    client.post(f"/api/v1/stamps/cards/{card['id']}/stamp", headers=h)
    again = client.get(f"/api/v1/contacts/{latte['id']}", headers=h).json()
    assert again["fields"]["stamps.total_stamps"] == 1
    bad = client.post("/api/v1/contacts", json={"given_name": "X", "fields": {
        "stamps.favourite_drink": "tea"}}, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "fields.stamps.favourite_drink"


def test_second_plugin_requiring_the_first(client, tenant):
    client.put("/api/v1/modules/stamps_reports?with_requirements=true", headers=tenant.headers)
    _contact(client, tenant, "Yarema")
    r = client.get("/api/v1/stamps_reports/summary", headers=tenant.headers)
    assert r.status_code == 200 and r.json() == {"cards": 1, "stamps": 0}


def test_demo_data_from_the_cli(client, database, tenant):
    env = {**os.environ, "RAPPORT_DATABASE_URL": libpq_url(database.owner_url),
           "RAPPORT_APP_DATABASE_URL": libpq_url(database.app_url)}
    r = subprocess.run([sys.executable, "-m", "rapport.cli", "demo", "--tenant", tenant.slug,
                        "--module", "stamps"], capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "created 6 demo records" in r.stdout
    cards = client.get("/api/v1/stamps/cards", headers=tenant.headers).json()
    assert len(cards) == 3 and {c["stamps"] for c in cards} == {3}
    r = subprocess.run([sys.executable, "-m", "rapport.cli", "demo", "--tenant", "no-such-org"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode != 0 and "no tenant" in r.stderr


def test_plugins_list_cli_shows_errors(database):
    env = {**os.environ, "RAPPORT_DATABASE_URL": libpq_url(database.owner_url), "COLUMNS": "250"}
    r = subprocess.run([sys.executable, "-m", "rapport.cli", "plugins", "list"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "stamps" in r.stdout and "espresso-machine" in r.stdout
