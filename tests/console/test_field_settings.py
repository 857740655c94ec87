"""Settings → custom fields: edit (label, choices, required, searchable) and delete after a
confirmation that counts the values it erases — through the field service the API uses
(key and type fixed, a module's field refused, another organization's not found)."""

from __future__ import annotations

from tests.conftest import add_member, sign_up
from tests.console.support import sign_in

ITEM = "/settings/fields/contact/drink"


def _field(client, t):
    r = client.post("/api/v1/fields", headers=t.headers, json={
        "key": "drink", "entity": "contact", "type": "enum", "label": "Drink",
        "options": ["tea", "coffee"]})
    assert r.status_code == 201, r.text


def test_edit_a_field(client):
    t = sign_up(client)
    _field(client, t)
    csrf = sign_in(client, t)
    listing = client.get("/settings/fields").text
    assert f'href="{ITEM}/edit"' in listing and f'href="{ITEM}/delete"' in listing
    page = client.get(f"{ITEM}/edit")
    assert page.status_code == 200 and 'value="tea, coffee"' in page.text
    r = client.post(f"{ITEM}/edit", follow_redirects=False, data={
        "_csrf": csrf, "label": "Favourite drink", "options": "tea, coffee, kvass",
        "required": "on", "indexed": "on"})
    assert r.status_code == 303 and "updated=custom.drink" in r.headers["location"]
    got = client.get("/api/v1/fields/drink", headers=t.headers).json()
    assert got["label"] == "Favourite drink" and got["options"] == ["tea", "coffee", "kvass"]
    assert got["required"] and got["indexed"]
    assert "Field custom.drink saved." in client.get("/settings/fields?updated=custom.drink").text

    # Refusals come back beside the field, what was typed kept, nothing written.
    r = client.post(f"{ITEM}/edit", data={"_csrf": csrf, "label": "Drink", "options": ""})
    assert r.status_code == 422 and "need at least one option" in r.text
    r = client.post(f"{ITEM}/edit", data={"_csrf": csrf, "label": " ", "options": "tea"})
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text
    got = client.get("/api/v1/fields/drink", headers=t.headers).json()
    assert got["label"] == "Favourite drink" and got["options"] == ["tea", "coffee", "kvass"]


def test_delete_a_field_after_the_confirmation(client):
    t = sign_up(client)
    _field(client, t)
    for name, drink in (("Olena", "tea"), ("Petro", "coffee"), ("Ivan", None)):
        body = {"given_name": name, **({"fields": {"custom.drink": drink}} if drink else {})}
        c = client.post("/api/v1/contacts", json=body, headers=t.headers)
        assert c.status_code == 201, c.text
    olena = client.get("/api/v1/contacts?q=Olena", headers=t.headers).json()["items"][0]
    csrf = sign_in(client, t)
    confirm = client.get(f"{ITEM}/delete")
    assert confirm.status_code == 200
    assert "2 records hold a value of this field." in confirm.text
    assert "erases its values from every record" in confirm.text
    r = client.post(f"{ITEM}/delete", data={"_csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and "deleted=custom.drink" in r.headers["location"]
    assert client.get("/api/v1/fields/drink", headers=t.headers).status_code == 404
    got = client.get(f"/api/v1/contacts/{olena['id']}", headers=t.headers).json()
    assert "custom.drink" not in got["fields"]
    assert client.get(f"{ITEM}/delete").status_code == 404


def test_modules_fields_other_tenants_and_members_are_refused(client):
    t, other = sign_up(client), sign_up(client)
    _field(client, other)
    add_member(client, t, "m@example.com", role="member", password="member password 1")
    csrf = sign_in(client, t)
    assert client.get(f"{ITEM}/edit").status_code == 404
    assert client.post(f"{ITEM}/delete", data={"_csrf": csrf}).status_code == 404
    assert client.get("/api/v1/fields/drink", headers=other.headers).status_code == 200
    client.post("/sign-out", data={"_csrf": csrf})
    csrf = sign_in(client, t, email="m@example.com", password="member password 1")
    _field(client, t)
    assert client.get(f"{ITEM}/edit").status_code == 403
    assert client.post(f"{ITEM}/delete", data={"_csrf": csrf}).status_code == 403
    assert client.get("/api/v1/fields/drink", headers=t.headers).status_code == 200
