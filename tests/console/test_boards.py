"""Boards and grouped lists on any choice field over plain HTTP: contacts by a custom
"one of a list" field and by owner, deals by owner; a move is the API's PATCH (its rules
refuse a required field's emptying, a viewer is refused, another tenant's id is 404)."""

from __future__ import annotations

from tests.conftest import add_member, sign_up
from tests.console.support import sign_in

HX = {"HX-Request": "true"}


def _post(client, t, path, **body):
    r = client.post(path, json=body, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _segment(client, t, *, required=False):
    _post(client, t, "/api/v1/fields", key="segment", entity="contact", type="enum",
          label="Segment", options=["retail", "wholesale"], required=required)


def test_contacts_grouped_by_a_custom_choice_field_and_moved(client):
    t = sign_up(client)
    _segment(client, t)
    a = _post(client, t, "/api/v1/contacts", given_name="Olena", family_name="Retail",
              fields={"custom.segment": "retail"})
    _post(client, t, "/api/v1/contacts", given_name="Petro", family_name="Nobody")
    csrf = sign_in(client, t)
    assert 'href="/boards/contacts?by=owner"' in client.get("/contacts").text
    board = client.get("/boards/contacts?by=custom.segment").text
    assert 'data-column="retail"' in board and 'data-column="wholesale"' in board
    assert 'data-column=""' in board and "No value" in board
    assert "Olena Retail" in board and "Petro Nobody" in board
    assert "Move to…" in board and 'src="/static/console/board.js"' in board
    assert '<option value="Segment"' not in board  # the picker offers keys, not labels
    assert 'value="custom.segment" selected' in board

    r = client.post(f"/boards/contacts/{a['id']}/move", headers=HX, data={
        "_csrf": csrf, "by": "custom.segment", "value": "wholesale", "layout": "board"})
    assert r.status_code == 200
    assert "Moved “Olena Retail” to “wholesale”." in r.text and "data-focus" in r.text
    got = client.get(f"/api/v1/contacts/{a['id']}", headers=t.headers).json()
    assert got["fields"]["custom.segment"] == "wholesale"

    # The grouped list, and a move back to "no value" without script (a redirect).
    r = client.post(f"/boards/contacts/{a['id']}/move", follow_redirects=False, data={
        "_csrf": csrf, "by": "custom.segment", "value": "", "layout": "list"})
    assert r.status_code == 303
    assert r.headers["location"].startswith("/boards/contacts?by=custom.segment&layout=list")
    listing = client.get("/boards/contacts?by=custom.segment&layout=list").text
    assert 'class="card group"' in listing and "Olena Retail" in listing
    got = client.get(f"/api/v1/contacts/{a['id']}", headers=t.headers).json()
    assert got["fields"].get("custom.segment") is None

    # A value that is no column, and a field that is not a choice, are refused in words.
    r = client.post(f"/boards/contacts/{a['id']}/move", headers=HX, data={
        "_csrf": csrf, "by": "custom.segment", "value": "space"})
    assert "is not one of this board&#39;s columns" in r.text
    assert client.get("/boards/contacts?by=email").status_code == 422
    assert client.get("/boards/things?by=owner").status_code == 422
    assert client.get("/boards/contacts?by=owner&layout=pie").status_code == 422


def test_a_required_field_cannot_be_emptied_by_a_move(client):
    t = sign_up(client)
    _segment(client, t, required=True)
    a = _post(client, t, "/api/v1/contacts", given_name="Olena", family_name="Kept",
              fields={"custom.segment": "retail"})
    csrf = sign_in(client, t)
    r = client.post(f"/boards/contacts/{a['id']}/move", data={
        "_csrf": csrf, "by": "custom.segment", "value": ""})
    assert r.status_code == 422, r.text
    assert 'class="alert"' in r.text
    got = client.get(f"/api/v1/contacts/{a['id']}", headers=t.headers).json()
    assert got["fields"]["custom.segment"] == "retail"


def test_contacts_and_deals_grouped_by_owner(client):
    t = sign_up(client)
    members = client.get("/api/v1/members", headers=t.headers).json()["items"]
    owner = members[0]
    c = _post(client, t, "/api/v1/contacts", given_name="Iryna", family_name="Owned",
              owner_id=owner["user_id"])
    d = _post(client, t, "/api/v1/deals", title="Bakery oven", amount="900", currency="EUR")
    csrf = sign_in(client, t)
    board = client.get("/boards/contacts?by=owner").text
    assert f'data-column="{owner["user_id"]}"' in board and "Iryna Owned" in board
    assert "No owner" in board
    deals = client.get("/boards/deals?by=owner").text
    assert f'data-column="{owner["id"]}"' in deals and "Bakery oven" in deals
    r = client.post(f"/boards/deals/{d['id']}/move", headers=HX, data={
        "_csrf": csrf, "by": "owner", "value": owner["id"]})
    assert "Moved “Bakery oven”" in r.text
    got = client.get(f"/api/v1/deals/{d['id']}", headers=t.headers).json()
    assert got["owner_id"] == owner["id"]
    r = client.post(f"/boards/contacts/{c['id']}/move", headers=HX, data={
        "_csrf": csrf, "by": "owner", "value": ""})
    assert "Moved “Iryna Owned” to “No owner”." in r.text
    assert client.get(f"/api/v1/contacts/{c['id']}", headers=t.headers).json()["owner_id"] \
        is None
    # Grouping deals by stage is the pipeline board.
    r = client.get("/boards/deals?by=stage", follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"] == "/deals"


def test_a_viewer_sees_no_move_and_is_refused_and_other_tenants_ids_are_404(client):
    t, other = sign_up(client), sign_up(client)
    _segment(client, t)
    a = _post(client, t, "/api/v1/contacts", given_name="Look", family_name="Only",
              fields={"custom.segment": "retail"})
    secret = _post(client, other, "/api/v1/contacts", given_name="Secret", family_name="B")
    add_member(client, t, "viewer@example.com", role="viewer", password="viewer password 1")
    csrf = sign_in(client, t, email="viewer@example.com", password="viewer password 1")
    board = client.get("/boards/contacts?by=custom.segment").text
    assert "Look Only" in board and "Move to…" not in board and "Secret" not in board
    r = client.post(f"/boards/contacts/{a['id']}/move", data={
        "_csrf": csrf, "by": "custom.segment", "value": "wholesale"})
    assert r.status_code == 403
    assert client.get(f"/api/v1/contacts/{a['id']}", headers=t.headers).json()[
        "fields"]["custom.segment"] == "retail"
    r = client.post(f"/boards/contacts/{secret['id']}/move", data={
        "_csrf": csrf, "by": "owner", "value": ""})
    assert r.status_code == 404
    r = client.post(f"/boards/contacts/{a['id']}/move", follow_redirects=False, data={
        "by": "custom.segment", "value": "wholesale"})
    assert r.status_code in (303, 401, 403)  # no CSRF token: nothing written
    assert client.get(f"/api/v1/contacts/{a['id']}", headers=t.headers).json()[
        "fields"]["custom.segment"] == "retail"
