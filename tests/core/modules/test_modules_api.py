"""A tenant admin turns modules on and off, and configures them; other tenants never notice."""

from __future__ import annotations

from tests.conftest import TenantHandle, add_member, login, member_token


def _modules(client, t: TenantHandle) -> dict[str, dict]:
    r = client.get("/api/v1/modules", headers=t.headers)
    assert r.status_code == 200, r.text
    return {m["name"]: m for m in r.json()["items"]}


def _member_headers(client, t: TenantHandle, role: str) -> dict[str, str]:
    token = member_token(client, t, f"{role}-{t.slug}@example.com", role=role)
    return {"Authorization": f"Bearer {token}"}


def test_list_shows_installed_modules_with_errors(client, tenant):
    mods = _modules(client, tenant)
    assert mods["stamps"]["title"] == "Stamp cards"
    assert mods["stamps"]["enabled"] is False and mods["stamps"]["available"] is True
    assert mods["stamps"]["version"] == "1.2.0" and mods["stamps"]["price_key"] == "price_stamps"
    assert mods["stamps_reports"]["requires"] == ["stamps"]
    assert mods["broken_import"]["available"] is False
    assert "espresso-machine" in mods["broken_import"]["error"]
    assert "rapport_evnet" in mods["misspelt"]["error"]
    assert "contacts" not in mods  # kernel areas are not modules


def test_enable_and_disable_are_idempotent_and_per_tenant(client, tenant, other_tenant):
    r = client.put("/api/v1/modules/stamps", headers=tenant.headers)
    assert r.status_code == 200 and r.json()["changed"] == ["stamps"]
    again = client.put("/api/v1/modules/stamps", headers=tenant.headers)
    assert again.status_code == 200 and again.json()["changed"] == []
    assert _modules(client, tenant)["stamps"]["enabled"] is True
    assert _modules(client, other_tenant)["stamps"]["enabled"] is False
    assert client.delete("/api/v1/modules/stamps", headers=tenant.headers).json()["changed"] == [
        "stamps"
    ]
    assert client.delete("/api/v1/modules/stamps", headers=tenant.headers).status_code == 200
    assert _modules(client, tenant)["stamps"]["enabled"] is False


def test_only_owner_and_admin_switch_modules(client, tenant):
    headers = _member_headers(client, tenant, "member")
    assert client.put("/api/v1/modules/stamps", headers=headers).status_code == 403
    assert client.delete("/api/v1/modules/stamps", headers=headers).status_code == 403
    assert client.put("/api/v1/modules/stamps/settings", json={}, headers=headers).status_code == 403
    admin = _member_headers(client, tenant, "admin")
    assert client.put("/api/v1/modules/stamps", headers=admin).status_code == 200


def test_unknown_and_broken_modules(client, tenant):
    assert client.put("/api/v1/modules/nope", headers=tenant.headers).status_code == 404
    assert client.delete("/api/v1/modules/nope", headers=tenant.headers).status_code == 404
    assert client.get("/api/v1/modules/nope/settings", headers=tenant.headers).status_code == 404
    r = client.put("/api/v1/modules/broken_import", headers=tenant.headers)
    assert r.status_code == 409 and "espresso-machine" in r.json()["detail"]


def test_requirements(client, tenant):
    r = client.put("/api/v1/modules/stamps_reports", headers=tenant.headers)
    assert r.status_code == 409
    assert r.json()["missing"] == ["stamps"] and "stamps" in r.json()["detail"]
    r = client.put("/api/v1/modules/stamps_reports?with_requirements=true", headers=tenant.headers)
    assert r.status_code == 200 and r.json()["changed"] == ["stamps", "stamps_reports"]
    r = client.delete("/api/v1/modules/stamps", headers=tenant.headers)
    assert r.status_code == 409 and r.json()["required_by"] == ["stamps_reports"]
    assert client.delete("/api/v1/modules/stamps_reports", headers=tenant.headers).status_code == 200
    assert client.delete("/api/v1/modules/stamps", headers=tenant.headers).status_code == 200


def test_settings_are_validated_per_tenant(client, tenant, other_tenant):
    h = tenant.headers
    defaults = client.get("/api/v1/modules/stamps/settings", headers=h).json()
    assert defaults == {"stamps_per_reward": 10, "welcome_stamps": 0, "auto_card": True}
    r = client.put("/api/v1/modules/stamps/settings", json={"stamps_per_reward": "ten"}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "settings.stamps_per_reward"
    r = client.put("/api/v1/modules/stamps/settings", json={"stamps_per_reward": 99}, headers=h)
    assert r.status_code == 422
    r = client.put("/api/v1/modules/stamps/settings", json={"colour": "red"}, headers=h)
    assert r.status_code == 422
    r = client.put("/api/v1/modules/stamps/settings",
                   json={"stamps_per_reward": 5, "welcome_stamps": 5}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "settings.welcome_stamps"
    r = client.put("/api/v1/modules/stamps/settings",
                   json={"stamps_per_reward": 8, "welcome_stamps": 2}, headers=h)
    assert r.status_code == 200 and r.json()["stamps_per_reward"] == 8
    assert client.get("/api/v1/modules/stamps/settings", headers=h).json()["welcome_stamps"] == 2
    assert client.get("/api/v1/modules/stamps/settings",
                      headers=other_tenant.headers).json()["welcome_stamps"] == 0
    r = client.put("/api/v1/modules/stamps_reports/settings", json={"x": 1}, headers=h)
    assert r.status_code == 422


def test_disabled_module_routes_answer_404_and_data_comes_back(client, tenant):
    h = tenant.headers
    assert client.get("/api/v1/stamps/cards", headers=h).status_code == 404
    client.put("/api/v1/modules/stamps", headers=h)
    contact = client.post("/api/v1/contacts", json={"given_name": "Olha"}, headers=h).json()
    cards = client.get("/api/v1/stamps/cards", headers=h).json()
    assert [c["contact_id"] for c in cards] == [contact["id"]]  # auto card by event hook
    client.delete("/api/v1/modules/stamps", headers=h)
    assert client.get("/api/v1/stamps/cards", headers=h).status_code == 404
    assert client.get(f"/api/v1/stamps/cards/{cards[0]['id']}", headers=h).status_code == 404
    client.put("/api/v1/modules/stamps", headers=h)
    assert client.get("/api/v1/stamps/cards", headers=h).json() == cards


def test_disabled_module_hooks_do_not_run_for_that_tenant(client, tenant, other_tenant):
    client.put("/api/v1/modules/stamps", headers=other_tenant.headers)
    client.post("/api/v1/contacts", json={"given_name": "Nazar"}, headers=tenant.headers)
    client.post("/api/v1/contacts", json={"given_name": "Zoryana"}, headers=other_tenant.headers)
    assert len(client.get("/api/v1/stamps/cards", headers=other_tenant.headers).json()) == 1
    client.put("/api/v1/modules/stamps", headers=tenant.headers)
    # Nazar was created while stamps was off for this tenant: no card was issued.
    assert client.get("/api/v1/stamps/cards", headers=tenant.headers).json() == []


def test_disabled_module_fields_are_hidden(client, tenant):
    h = tenant.headers
    r = client.post("/api/v1/contacts", json={"given_name": "Ira",
                                              "fields": {"stamps.favourite_drink": "latte"}},
                    headers=h)
    assert r.status_code == 422  # unknown field while stamps is off
    client.put("/api/v1/modules/stamps", headers=h)
    r = client.post("/api/v1/contacts", json={"given_name": "Ira",
                                              "fields": {"stamps.favourite_drink": "latte"}},
                    headers=h)
    assert r.status_code == 201, r.text
    assert r.json()["fields"]["stamps.favourite_drink"] == "latte"
    assert r.json()["fields"]["stamps.total_stamps"] == 0
    contact_id = r.json()["id"]
    client.delete("/api/v1/modules/stamps", headers=h)
    hidden = client.get(f"/api/v1/contacts/{contact_id}", headers=h).json()
    assert "stamps.favourite_drink" not in hidden["fields"]
    client.put("/api/v1/modules/stamps", headers=h)
    back = client.get(f"/api/v1/contacts/{contact_id}", headers=h).json()
    assert back["fields"]["stamps.favourite_drink"] == "latte"


def test_a_failing_plugin_hook_aborts_only_that_request(client, database, tenant, other_tenant):
    for t in (tenant, other_tenant):
        client.put("/api/v1/modules/stamps", headers=t.headers)
    r = client.post("/api/v1/contacts", json={"given_name": "Explode"}, headers=tenant.headers)
    assert r.status_code == 500
    assert r.json()["title"] == "Module error" and r.json()["module"] == "stamps"
    assert "Traceback" not in r.text
    with database.connect_superuser() as conn:
        left = conn.execute("SELECT count(*) FROM contacts WHERE tenant_id = %s",
                            (tenant.id,)).fetchone()[0]
        outbox = conn.execute("SELECT count(*) FROM event_outbox WHERE tenant_id = %s AND "
                              "name = 'contact.created'", (tenant.id,)).fetchone()[0]
    assert left == 0 and outbox == 0
    # The same tenant's next request, and the other tenant, work normally.
    ok = client.post("/api/v1/contacts", json={"given_name": "Calm"}, headers=tenant.headers)
    assert ok.status_code == 201
    other = client.post("/api/v1/contacts", json={"given_name": "Calm"},
                        headers=other_tenant.headers)
    assert other.status_code == 201


def test_plugin_roles_need_the_plugin_enabled(client, tenant):
    h = tenant.headers
    body = {"email": f"barista-{tenant.slug}@example.com", "full_name": "Bohdana",
            "role": "barista"}
    refused = client.post("/api/v1/members", json=body, headers=h)
    assert refused.status_code == 422 and "role" in refused.text, refused.text
    client.put("/api/v1/modules/stamps", headers=h)
    # add_member checks the invitation is a 201, then accepts it as the person would.
    added = add_member(client, tenant, body["email"], role="barista", full_name="Bohdana",
                       password="barista password 1")
    assert added["role"] == "barista"
    token = login(client, tenant.slug, body["email"], "barista password 1")
    bh = {"Authorization": f"Bearer {token}"}
    me = client.get("/api/v1/me", headers=bh).json()
    assert me["role"] == "barista"
    # A barista acts as a member on kernel records.
    assert client.post("/api/v1/contacts", json={"given_name": "Kyi"}, headers=bh).status_code == 201
    client.delete("/api/v1/modules/stamps", headers=h)
    # With the plugin off, the role is read-only.
    assert client.post("/api/v1/contacts", json={"given_name": "Shchek"},
                       headers=bh).status_code == 403
