"""The deals board, tasks and organizations over plain HTTP: pages render, moves go
through the pipeline's guards (refusals shown in words), a viewer can neither move nor
edit, another tenant's records answer 404, and posts without the CSRF token are refused."""

from __future__ import annotations

import re

from tests.conftest import add_member, sign_up
from tests.console.support import sign_in

HX = {"HX-Request": "true"}


def _post(client, t, path, **body):
    r = client.post(path, json=body, headers=t.headers)
    assert r.status_code == 201, r.text
    return r.json()


def test_every_screen_renders_and_the_nav_lists_them(client):
    t = sign_up(client)
    c = _post(client, t, "/api/v1/contacts", given_name="Olena", family_name="Kovalenko")
    o = _post(client, t, "/api/v1/organizations", name="Acme Mills", industry="Flour")
    client.post(f"/api/v1/contacts/{c['id']}/organizations", json={"organization_id": o["id"],
                                                                   "title": "Buyer"},
                headers=t.headers)
    d = _post(client, t, "/api/v1/deals", title="Mill fit-out", contact_id=c["id"],
              amount="1200.00", currency="EUR")
    _post(client, t, "/api/v1/tasks", title="Call Olena back", contact_id=c["id"],
          due_at="2020-01-01T09:00:00Z")
    sign_in(client, t)
    home = client.get("/").text
    for entry in ('href="/deals"', 'href="/tasks"', 'href="/organizations"'):
        assert entry in home
    board = client.get("/deals").text
    assert "Mill fit-out" in board and "Move to stage…" in board and "Olena Kovalenko" in board
    assert 'data-stage="negotiation"' in board and 'src="/static/console/board.js"' in board
    assert "Mill fit-out" in client.get("/deals/list").text
    page = client.get(f"/deals/{d['id']}").text
    assert "Lead" in page and "Olena Kovalenko" in page
    tasks = client.get("/tasks").text
    assert "Call Olena back" in tasks and "overdue" in tasks
    assert "Call Olena back" in client.get("/tasks?show=overdue&who=all").text
    assert "Call Olena back" not in client.get("/tasks?show=done").text
    orgs = client.get("/organizations?q=acm").text
    assert "Acme Mills" in orgs
    org_page = client.get(f"/organizations/{o['id']}").text
    assert "Olena Kovalenko" in org_page and "Buyer" in org_page
    for path in ("/deals/new", f"/deals/{d['id']}/edit", "/tasks/new", "/organizations/new",
                 f"/organizations/{o['id']}/edit"):
        assert client.get(path).status_code == 200, path


def test_a_move_goes_through_the_pipeline_and_its_guards(client):
    t = sign_up(client)
    d = _post(client, t, "/api/v1/deals", title="No amount yet")
    csrf = sign_in(client, t)
    r = client.post(f"/deals/{d['id']}/move", data={"_csrf": csrf, "stage": "qualified"},
                    headers=HX)
    assert r.status_code == 200 and "<html" not in r.text
    assert "Moved “No amount yet” to “Qualified”." in r.text
    assert re.search(rf'id="deal-{d["id"]}"[^>]*data-focus', r.text)
    deal = client.get(f"/api/v1/deals/{d['id']}", headers=t.headers).json()
    assert deal["stage"]["key"] == "qualified"
    # "won" needs an amount: refused, in words, and nothing moved.
    r = client.post(f"/deals/{d['id']}/move", data={"_csrf": csrf, "stage": "won"}, headers=HX)
    assert "fill in the amount first" in r.text
    assert client.get(f"/api/v1/deals/{d['id']}", headers=t.headers).json()["stage"]["key"] \
        == "qualified"
    # Without script: a redirect back to the board, or the board with the refusal (409).
    r = client.post(f"/deals/{d['id']}/move", data={"_csrf": csrf, "stage": "proposal"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/deals?pipeline=default&moved={d['id']}"
    r = client.post(f"/deals/{d['id']}/move", data={"_csrf": csrf, "stage": "won"})
    assert r.status_code == 409 and "fill in the amount first" in r.text
    # The history on the deal page, and the refusal in Ukrainian for a Ukrainian member.
    assert "Qualified → Proposal" in client.get(f"/deals/{d['id']}").text
    client.post("/preferences", data={"language": "uk", "_csrf": csrf})
    r = client.post(f"/deals/{d['id']}/move", data={"_csrf": csrf, "stage": "won"}, headers=HX)
    assert "спершу заповніть суму" in r.text


def test_create_and_edit_through_the_forms(client):
    t = sign_up(client)
    csrf = sign_in(client, t)
    r = client.post("/deals/new", data={"_csrf": csrf, "title": "  ", "amount": "10"})
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text
    r = client.post("/deals/new", data={"_csrf": csrf, "title": "Bakery", "amount": "10",
                                        "currency": "UAH"}, follow_redirects=False)
    assert r.status_code == 303
    deal_id = r.headers["location"].rsplit("/", 1)[1]
    r = client.post(f"/deals/{deal_id}/edit", data={"_csrf": csrf, "title": "Bakery oven",
                                                    "amount": "", "currency": "",
                                                    "owner_id": ""}, follow_redirects=False)
    deal = client.get(f"/api/v1/deals/{deal_id}", headers=t.headers).json()
    assert r.status_code == 303 and deal["title"] == "Bakery oven" and deal["amount"] is None
    r = client.post("/tasks/new", data={"_csrf": csrf, "title": "Bring samples",
                                        "due_at": "2031-05-03T14:00", "deal_id": deal_id},
                    follow_redirects=False)
    assert r.status_code == 303
    task = client.get("/api/v1/tasks", headers=t.headers).json()["items"][0]
    assert task["due_at"].startswith("2031-05-03T14:00") and task["deal_id"] == deal_id
    r = client.post(f"/tasks/{task['id']}/complete", data={"_csrf": csrf}, headers=HX)
    assert r.status_code == 200 and "data-focus" in r.text and "completed" in r.text
    assert client.get(f"/api/v1/tasks/{task['id']}", headers=t.headers).json()["done"]
    r = client.post("/organizations/new", data={"_csrf": csrf, "name": "Zerno",
                                                "website": "ftp://x"})
    assert r.status_code == 422 and "must be an http or https URL" in r.text
    r = client.post("/organizations/new", data={"_csrf": csrf, "name": "Zerno"},
                    follow_redirects=False)
    assert r.status_code == 303
    org = r.headers["location"]
    r = client.post(f"{org}/edit", data={"_csrf": csrf, "name": "Zerno Bakery",
                                         "industry": "Food"}, follow_redirects=False)
    assert r.status_code == 303 and "Zerno Bakery" in client.get(org).text


def test_a_viewer_can_neither_move_nor_edit(client):
    t = sign_up(client)
    d = _post(client, t, "/api/v1/deals", title="Look, do not touch")
    task = _post(client, t, "/api/v1/tasks", title="Not yours to finish")
    o = _post(client, t, "/api/v1/organizations", name="Read Only Ltd")
    add_member(client, t, "viewer@example.com", role="viewer", password="viewer password 1")
    csrf = sign_in(client, t, email="viewer@example.com", password="viewer password 1")
    board = client.get("/deals").text
    assert "Look, do not touch" in board and "Move to stage…" not in board
    assert 'href="/deals/new"' not in board
    r = client.post(f"/deals/{d['id']}/move", data={"_csrf": csrf, "stage": "qualified"},
                    headers=HX)
    assert "Your role cannot move deals." in r.text
    r = client.post(f"/deals/{d['id']}/move", data={"_csrf": csrf, "stage": "qualified"})
    assert r.status_code == 409
    for path in (f"/deals/{d['id']}/edit", "/deals/new", "/tasks/new",
                 f"/organizations/{o['id']}/edit"):
        assert client.get(path).status_code == 403, path
    assert client.post(f"/deals/{d['id']}/edit", data={"_csrf": csrf, "title": "Mine"}
                       ).status_code == 403
    assert client.post(f"/tasks/{task['id']}/complete", data={"_csrf": csrf}).status_code == 403
    assert client.post(f"/organizations/{o['id']}/edit", data={"_csrf": csrf, "name": "X"}
                       ).status_code == 403
    deal = client.get(f"/api/v1/deals/{d['id']}", headers=t.headers).json()
    assert deal["stage"]["key"] == "lead" and deal["title"] == "Look, do not touch"
    assert not client.get(f"/api/v1/tasks/{task['id']}", headers=t.headers).json()["done"]


def test_another_tenants_records_answer_404(client):
    a, b = sign_up(client), sign_up(client)
    d = _post(client, b, "/api/v1/deals", title="Secret deal of B")
    task = _post(client, b, "/api/v1/tasks", title="Secret task of B")
    o = _post(client, b, "/api/v1/organizations", name="Secret org of B")
    csrf = sign_in(client, a)
    for path in (f"/deals/{d['id']}", f"/deals/{d['id']}/edit", f"/tasks/{task['id']}/edit",
                 f"/organizations/{o['id']}", f"/organizations/{o['id']}/edit"):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "Secret" not in r.text
    r = client.post(f"/deals/{d['id']}/move", data={"_csrf": csrf, "stage": "qualified"})
    assert r.status_code == 404
    assert client.post(f"/tasks/{task['id']}/complete", data={"_csrf": csrf}).status_code == 404
    assert client.post(f"/deals/{d['id']}/edit", data={"_csrf": csrf, "title": "Mine"}
                       ).status_code == 404
    for path in ("/deals", "/deals/list", "/tasks?who=all", "/organizations"):
        assert "Secret" not in client.get(path).text
    assert client.get(f"/api/v1/deals/{d['id']}", headers=b.headers).json()["stage"]["key"] \
        == "lead"


def test_posts_without_the_csrf_token_are_refused(client):
    t = sign_up(client)
    d = _post(client, t, "/api/v1/deals", title="Guarded")
    task = _post(client, t, "/api/v1/tasks", title="Guarded task")
    sign_in(client, t)
    for path, data in ((f"/deals/{d['id']}/move", {"stage": "qualified"}),
                       ("/deals/new", {"title": "Forged"}),
                       (f"/tasks/{task['id']}/complete", {}),
                       ("/organizations/new", {"name": "Forged"})):
        r = client.post(path, data=data, follow_redirects=False)
        assert r.status_code in (302, 303), path
        assert r.headers["location"].startswith("/sign-in"), path
        r = client.post(path, data={**data, "_csrf": "wrong"}, follow_redirects=False)
        assert r.headers["location"].startswith("/sign-in"), path
    assert client.get(f"/api/v1/deals/{d['id']}", headers=t.headers).json()["stage"]["key"] \
        == "lead"
    assert not client.get(f"/api/v1/tasks/{task['id']}", headers=t.headers).json()["done"]
    assert client.get("/api/v1/deals", headers=t.headers).json()["items"][0]["title"] == "Guarded"
