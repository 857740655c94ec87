"""The plugin UI hook, proved with the example vendor plugin (tests/vendor_plugin): its nav
entry, page and customer panel appear only for tenants that enabled it and roles it allows,
rendered from its own templates and translated by its own catalogs."""

from __future__ import annotations

from tests.conftest import add_member, sign_up
from tests.console.support import sign_in


def _enable_stamps(client, t) -> None:
    assert client.put("/api/v1/modules/stamps", headers=t.headers).status_code == 200
    r = client.put("/api/v1/modules/stamps/settings", json={"welcome_stamps": 3},
                   headers=t.headers)
    assert r.status_code == 200, r.text


def _customer(client, t) -> str:
    r = client.post("/api/v1/contacts", json={"given_name": "Iryna", "family_name": "Latte"},
                    headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_a_disabled_plugin_shows_nothing(client):
    t = sign_up(client)
    contact = _customer(client, t)
    sign_in(client, t)
    home = client.get("/").text
    assert "/apps/stamps/" not in home
    assert client.get("/apps/stamps/").status_code == 404
    assert 'id="panel-stamps-cards"' not in client.get(f"/contacts/{contact}").text


def test_an_enabled_plugin_adds_nav_page_and_panel(client):
    t = sign_up(client)
    _enable_stamps(client, t)
    contact = _customer(client, t)  # the plugin gives a new customer a card
    sign_in(client, t)
    home = client.get("/").text
    assert 'href="/apps/stamps/"' in home and "Stamp cards" in home
    page = client.get("/apps/stamps/")
    assert page.status_code == 200, page.text
    assert "Iryna Latte" in page.text and "3 stamps" in page.text
    customer = client.get(f"/contacts/{contact}").text
    assert 'id="panel-stamps-cards"' in customer and "3 stamps" in customer


def test_plugin_screens_speak_the_members_language(client):
    t = sign_up(client)
    _enable_stamps(client, t)
    _customer(client, t)
    csrf = sign_in(client, t)
    client.post("/preferences", data={"language": "uk", "_csrf": csrf})
    page = client.get("/apps/stamps/").text
    assert "Картки зі штампами" in page  # nav label and title, from the plugin's catalog
    assert "3 штампи" in page  # its plural rule


def test_panels_follow_roles(client):
    t = sign_up(client)
    _enable_stamps(client, t)
    contact = _customer(client, t)
    add_member(client, t, "viewer@example.com", role="viewer", password="viewer password 1")
    sign_in(client, t, email="viewer@example.com", password="viewer password 1")
    page = client.get(f"/contacts/{contact}").text
    assert "Iryna Latte" in page
    assert 'id="panel-stamps-cards"' not in page
