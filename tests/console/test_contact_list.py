"""The contact list over HTTP: filters in the API's grammar (custom fields too), columns,
saved views (private, shared, another member's and another tenant's), bulk actions, inline
edit; viewers refused, other tenants' ids 404, CSRF required."""

from __future__ import annotations

import re

from tests.conftest import add_member, sign_up
from tests.console.support import sign_in

HX = {"HX-Request": "true"}


def _contact(client, t, **values):
    r = client.post("/api/v1/contacts", json=values, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def _field(client, t, **body):
    r = client.post("/api/v1/fields", json={"entity": "contact", **body}, headers=t.headers)
    assert r.status_code == 201, r.text


def _viewer(client, t):
    add_member(client, t, "viewer@example.com", role="viewer", password="viewer password 1")
    return sign_in(client, t, email="viewer@example.com", password="viewer password 1")


def test_filters_columns_and_sort_use_the_api_grammar(client):
    t = sign_up(client)
    _field(client, t, key="shoe_size", type="integer", label="Shoe size")
    _contact(client, t, given_name="Olena", family_name="Big", tags=["vip"],
             fields={"custom.shoe_size": 44}, source="Fair")
    _contact(client, t, given_name="Taras", family_name="Small", fields={"custom.shoe_size": 38})
    sign_in(client, t)
    page = client.get("/contacts?filter=custom.shoe_size:gte:40").text
    assert "Olena Big" in page and "Taras Small" not in page
    # The "add a filter" form composes the same grammar; the chip can remove it.
    r = client.get("/contacts?add_field=tags&add_op=eq&add_value=vip", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/contacts?filter=tags%3Aeq%3Avip"
    page = client.get(r.headers["location"]).text
    assert "Olena Big" in page and "Taras Small" not in page
    assert 'name="filter" value="tags:eq:vip"' in page
    # Columns chosen (a custom field too), in the order asked; sort by a custom field.
    page = client.get("/contacts?col=custom.shoe_size&col=source&sort=custom.shoe_size").text
    head = page[page.index("<thead>"):page.index("</thead>")]
    assert head.index("Shoe size") < head.index("Source") and "E-mail" not in head
    assert page.index("Taras Small") < page.index("Olena Big")
    # A refused filter is said in words, in the results, not a crash.
    r = client.get("/contacts?filter=nonsense:eq:1",
                   headers={**HX, "HX-Target": "contact-results"})
    assert r.status_code == 200 and "This filter cannot be used" in r.text


def test_saved_views_private_shared_and_isolated(client):
    t, other = sign_up(client), sign_up(client)
    _contact(client, t, given_name="Olena", family_name="Vip", tags=["vip"])
    _contact(client, t, given_name="Taras", family_name="Plain")
    add_member(client, t, "colleague@example.com", password="colleague password 1")
    csrf = sign_in(client, t)
    form = {"_csrf": csrf, "name": "VIPs", "filter": ["tags:eq:vip"], "col": ["tags"]}
    assert client.post("/contacts/views", data={**form, "_csrf": "wrong"},
                       follow_redirects=False).headers["location"].startswith("/sign-in")
    r = client.post("/contacts/views", data=form, follow_redirects=False)
    assert r.status_code == 303
    mine = re.search(r"view=([0-9a-f-]{36})", r.headers["location"]).group(1)
    r = client.post("/contacts/views", data={**form, "name": "Everyone", "shared": "true",
                                             "filter": []}, follow_redirects=False)
    shared = re.search(r"view=([0-9a-f-]{36})", r.headers["location"]).group(1)
    page = client.get(f"/contacts?view={mine}").text
    assert "Olena Vip" in page and "Taras Plain" not in page and "View saved." not in page
    # A colleague sees the shared view, not the private one, and cannot delete either.
    c = sign_in(client, t, email="colleague@example.com", password="colleague password 1")
    assert "Everyone" in client.get("/contacts").text
    assert client.get(f"/contacts?view={mine}").status_code == 404
    assert client.get(f"/contacts?view={shared}").status_code == 200
    r = client.post(f"/contacts/views/{shared}/delete", data={"_csrf": c},
                    follow_redirects=False)
    assert r.status_code == 404
    # Another tenant: 404 for both, reading and deleting.
    oc = sign_in(client, other)
    for view in (mine, shared):
        assert client.get(f"/contacts?view={view}").status_code == 404
        r = client.post(f"/contacts/views/{view}/delete", data={"_csrf": oc},
                        follow_redirects=False)
        assert r.status_code == 404
    # The owner deletes.
    csrf = sign_in(client, t)
    r = client.post(f"/contacts/views/{mine}/delete", data={"_csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    assert client.get(f"/contacts?view={mine}").status_code == 404


def test_a_viewer_keeps_views_for_themself_but_cannot_share_or_act(client):
    t = sign_up(client)
    c = _contact(client, t, given_name="Olena", family_name="Read")
    csrf = _viewer(client, t)
    r = client.post("/contacts/views", data={"_csrf": csrf, "name": "Mine"},
                    follow_redirects=False)
    assert r.status_code == 303
    r = client.post("/contacts/views", data={"_csrf": csrf, "name": "Ours", "shared": "true"},
                    follow_redirects=False)
    assert r.status_code == 403
    page = client.get("/contacts").text
    assert 'id="bulk"' not in page and "/cells/" not in page
    r = client.post("/contacts/bulk", data={"_csrf": csrf, "action": "tag", "tag": "x",
                                            "id": [c["id"]]}, follow_redirects=False)
    assert r.status_code == 403
    assert client.get(f"/contacts/{c['id']}/cells/source").status_code == 403
    r = client.post(f"/contacts/{c['id']}/cells/source", data={"_csrf": csrf, "value": "x"})
    assert r.status_code == 403
    # From htmx, the refusal goes to the page's alert area instead of the cell.
    r = client.post(f"/contacts/{c['id']}/cells/source", data={"_csrf": csrf, "value": "x"},
                    headers=HX)
    assert r.headers.get("hx-retarget") == "#alerts"
    assert client.get(f"/api/v1/contacts/{c['id']}", headers=t.headers).json()["source"] is None


def test_bulk_tag_owner_and_export(client):
    t, other = sign_up(client), sign_up(client)
    a = _contact(client, t, given_name="Olena", family_name="One", email="o@example.com")
    b = _contact(client, t, given_name="Taras", family_name="Two", tags=["old"])
    untouched = _contact(client, t, given_name="Ivan", family_name="Three")
    foreign = _contact(client, other, given_name="Secret", family_name="Other")
    csrf = sign_in(client, t)
    owner_id = client.get("/api/v1/auth/me", headers=t.headers).json().get("user_id")
    ids = [a["id"], b["id"]]
    r = client.post("/contacts/bulk", data={"_csrf": csrf, "action": "tag", "tag": "VIP",
                                            "id": ids, "back": "q=Olena"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/contacts?q=Olena&")
    assert "Tag “VIP” added to 2 contacts." in client.get(r.headers["location"]).text
    got = {c["id"]: c for c in client.get("/api/v1/contacts", headers=t.headers).json()["items"]}
    assert "vip" in got[a["id"]]["tags"] and set(got[b["id"]]["tags"]) == {"old", "vip"}
    assert got[untouched["id"]]["tags"] == []
    if owner_id:
        r = client.post("/contacts/bulk", data={"_csrf": csrf, "action": "owner",
                                                "owner_id": owner_id, "id": ids},
                        follow_redirects=False)
        assert r.status_code == 303
        got = client.get(f"/api/v1/contacts/{a['id']}", headers=t.headers).json()
        assert got["owner_id"] == owner_id
    r = client.post("/contacts/bulk", data={"_csrf": csrf, "action": "export", "id": ids})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.text.strip().splitlines()
    api = client.get("/api/v1/contacts/export?format=csv", headers=t.headers).text
    assert lines[0] == api.splitlines()[0]  # the API export's columns
    assert len(lines) == 3 and "o@example.com" in r.text and "Ivan" not in r.text
    # Another tenant's id in the selection: 404, and nothing written.
    r = client.post("/contacts/bulk", data={"_csrf": csrf, "action": "tag", "tag": "leak",
                                            "id": [a["id"], foreign["id"]]},
                    follow_redirects=False)
    assert r.status_code == 404
    assert "leak" not in client.get(f"/api/v1/contacts/{a['id']}", headers=t.headers).json()["tags"]
    # CSRF.
    r = client.post("/contacts/bulk", data={"action": "tag", "tag": "x", "id": ids},
                    follow_redirects=False)
    assert r.headers["location"].startswith("/sign-in")


def test_inline_edit_saves_through_patch_and_shows_refusals_in_place(client):
    t, other = sign_up(client), sign_up(client)
    _field(client, t, key="shoe_size", type="integer", label="Shoe size")
    c = _contact(client, t, given_name="Olena", family_name="Edit")
    _contact(client, t, given_name="Taras", family_name="Taken", email="taken@example.com")
    foreign = _contact(client, other, given_name="Secret", family_name="Other")
    csrf = sign_in(client, t)
    assert f"/contacts/{c['id']}/cells/email" in client.get("/contacts").text
    form = client.get(f"/contacts/{c['id']}/cells/source", headers=HX)
    assert form.status_code == 200 and 'name="value"' in form.text and "<html" not in form.text
    r = client.post(f"/contacts/{c['id']}/cells/source", data={"_csrf": csrf, "value": "Fair"},
                    headers=HX)
    assert r.status_code == 200 and "Fair" in r.text and "data-announce" in r.text
    assert client.get(f"/api/v1/contacts/{c['id']}", headers=t.headers).json()["source"] == "Fair"
    r = client.post(f"/contacts/{c['id']}/cells/custom.shoe_size",
                    data={"_csrf": csrf, "value": "44"}, headers=HX)
    assert r.status_code == 200 and "44" in r.text
    assert client.get(f"/api/v1/contacts/{c['id']}",
                      headers=t.headers).json()["fields"]["custom.shoe_size"] == 44
    # Refusals of the service, in place: a taken e-mail, a bad integer.
    r = client.post(f"/contacts/{c['id']}/cells/email",
                    data={"_csrf": csrf, "value": "taken@example.com"}, headers=HX)
    assert r.status_code == 200 and 'aria-invalid="true"' in r.text and 'class="error"' in r.text
    r = client.post(f"/contacts/{c['id']}/cells/custom.shoe_size",
                    data={"_csrf": csrf, "value": "big"}, headers=HX)
    assert 'aria-invalid="true"' in r.text
    assert client.get(f"/api/v1/contacts/{c['id']}", headers=t.headers).json()["email"] is None
    # Another tenant's contact, an unknown column, no CSRF.
    assert client.get(f"/contacts/{foreign['id']}/cells/source").status_code == 404
    r = client.post(f"/contacts/{foreign['id']}/cells/source",
                    data={"_csrf": csrf, "value": "x"})
    assert r.status_code == 404 and "Secret" not in r.text
    assert client.get(f"/contacts/{c['id']}/cells/created_at").status_code == 404
    r = client.post(f"/contacts/{c['id']}/cells/source", data={"value": "x"},
                    follow_redirects=False)
    assert r.status_code in (302, 303) and r.headers["location"].startswith("/sign-in")


def test_previous_and_next_follow_the_filtered_list(client):
    t = sign_up(client)
    made = [_contact(client, t, given_name=f"P{i}", family_name="Near", tags=["near"])
            for i in range(3)]
    _contact(client, t, given_name="Far", family_name="Away")
    sign_in(client, t)
    listing = client.get("/contacts?filter=tags:eq:near").text
    links = re.findall(r'href="(/contacts/[0-9a-f-]{36}\?list=[^"]+)"', listing)
    assert len(links) == 3  # newest first: P2, P1, P0
    middle = client.get(links[1].replace("&amp;", "&")).text
    assert 'rel="prev"' in middle and 'rel="next"' in middle
    assert "Previous: P2 Near" in middle and "Next: P0 Near" in middle
    assert "Far Away" not in middle
    last = client.get(links[2].replace("&amp;", "&")).text
    assert 'rel="prev"' in last and 'rel="next"' not in last
    # Opened without a list: no neighbours.
    assert 'rel="next"' not in client.get(f"/contacts/{made[1]['id']}").text


def test_duplicate_warning_and_merge(client):
    t, other = sign_up(client), sign_up(client)
    keep = _contact(client, t, given_name="Olena", family_name="Kovalenko",
                    phones=["+380501234567"])
    r = client.post("/api/v1/contacts?allow_duplicate=true", headers=t.headers,
                    json={"given_name": "Olena", "family_name": "K.", "phones": ["+380501234567"],
                          "tags": ["from-import"]})
    dup = r.json()
    foreign = _contact(client, other, given_name="Secret", family_name="Other",
                       phones=["+380501234567"])
    add_member(client, t, "viewer@example.com", role="viewer", password="viewer password 1")
    csrf = sign_in(client, t)
    page = client.get(f"/contacts/{keep['id']}").text
    assert "This may be the same person as" in page and "Olena K." in page
    assert "the same phone" in page and "Secret" not in page
    # No CSRF: refused. Another tenant's id: 404.
    r = client.post(f"/contacts/{keep['id']}/merge", data={"other_id": dup["id"]},
                    follow_redirects=False)
    assert r.headers["location"].startswith("/sign-in")
    r = client.post(f"/contacts/{keep['id']}/merge",
                    data={"_csrf": csrf, "other_id": foreign["id"]}, follow_redirects=False)
    assert r.status_code == 404
    r = client.post(f"/contacts/{foreign['id']}/merge",
                    data={"_csrf": csrf, "other_id": dup["id"]}, follow_redirects=False)
    assert r.status_code == 404
    # A viewer sees the warning but no merge, and is refused.
    vc = sign_in(client, t, email="viewer@example.com", password="viewer password 1")
    page = client.get(f"/contacts/{keep['id']}").text
    assert "This may be the same person as" in page and "/merge" not in page
    r = client.post(f"/contacts/{keep['id']}/merge", data={"_csrf": vc, "other_id": dup["id"]},
                    follow_redirects=False)
    assert r.status_code == 403
    csrf = sign_in(client, t)
    r = client.post(f"/contacts/{keep['id']}/merge", data={"_csrf": csrf, "other_id": dup["id"]},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    assert "“Olena K.” was merged into this record." in page
    assert "This may be the same person as" not in page
    assert client.get(f"/api/v1/contacts/{dup['id']}", headers=t.headers).status_code == 404
    assert "from-import" in client.get(f"/api/v1/contacts/{keep['id']}",
                                       headers=t.headers).json()["tags"]
    assert client.get(f"/api/v1/contacts/{foreign['id']}", headers=other.headers).status_code == 200


def test_the_list_tools_speak_the_members_language(client):
    t = sign_up(client)
    _contact(client, t, given_name="Olena", family_name="Mova")
    csrf = sign_in(client, t)
    client.post("/preferences", data={"language": "uk", "_csrf": csrf}, follow_redirects=False)
    page = client.get("/contacts").text
    assert "Фільтри, стовпці та вигляди" in page and "Додати мітку" in page
    page = client.get("/contacts?filter=nonsense:eq:1").text
    assert "Цей фільтр не можна застосувати" in page
