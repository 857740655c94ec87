"""Settings → pipelines and stages over plain HTTP: rename a built-in stage, add, reorder and
remove the organization's own stages through the service of PUT /api/v1/workflows/…/stages
(its refusals shown in words, nothing written), and only owners and admins get in."""

from __future__ import annotations

from tests.conftest import add_member, sign_up
from tests.console.support import sign_in

PIPE = "/settings/pipelines/deals.pipeline"


def _stages(client, t) -> list[tuple[str, str, bool]]:
    items = client.get("/api/v1/workflows", headers=t.headers).json()["items"]
    wf = next(w for w in items if w["name"] == "deals.pipeline")
    return [(s["key"], s["label"], s["terminal"]) for s in wf["stages"]]


def test_rename_add_reorder_and_remove_stages(client):
    t = sign_up(client)
    csrf = sign_in(client, t)
    page = client.get("/settings/pipelines")
    assert page.status_code == 200
    assert "Sales pipeline" in page.text and 'name="label.lead"' in page.text
    assert 'href="/settings/pipelines"' in client.get("/settings/members").text

    r = client.post(PIPE, data={"_csrf": csrf, "label.lead": "Enquiry",
                                "new_key": "site_visit", "new_label": "Site visit"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith("/settings/pipelines?done=added")
    keys = [k for k, _, _ in _stages(client, t)]
    assert keys[-1] == "site_visit" and ("lead", "Enquiry", False) in _stages(client, t)
    assert "Enquiry" in client.get("/deals").text and "Site visit" in client.get("/deals").text

    # Reorder: up, twice, goes past the closing stages (a move posts no names: they stay).
    for _ in range(2):
        r = client.post(PIPE, data={"_csrf": csrf, "move": "site_visit:up"})
        assert r.status_code == 200 and "Stage moved." in r.text
    keys = [k for k, _, _ in _stages(client, t)]
    assert keys.index("site_visit") == keys.index("won") - 1
    assert ("lead", "Enquiry", False) in _stages(client, t)

    # A stage a deal is in cannot be removed; once it is empty it can.
    d = client.post("/api/v1/deals", json={"title": "Oven"}, headers=t.headers).json()
    moved = client.post(f"/api/v1/deals/{d['id']}/transitions/move_to_site_visit",
                        json={}, headers=t.headers)
    assert moved.status_code == 200, moved.text
    r = client.post(PIPE, data={"_csrf": csrf, "remove": "site_visit"})
    assert r.status_code == 409
    assert "The stages were not saved" in r.text and "move them first" in r.text
    assert "site_visit" in [k for k, _, _ in _stages(client, t)]
    client.post(f"/api/v1/deals/{d['id']}/transitions/qualify", json={}, headers=t.headers)
    r = client.post(PIPE, data={"_csrf": csrf, "remove": "site_visit"})
    assert r.status_code == 200 and "Stage removed." in r.text
    assert "site_visit" not in [k for k, _, _ in _stages(client, t)]

    # Renaming back to the built-in name stores nothing; a closing stage of our own.
    client.post(PIPE, data={"_csrf": csrf, "label.lead": "Lead", "new_key": "on_hold",
                            "new_label": "On hold", "new_terminal": "on"})
    assert ("lead", "Lead", False) in _stages(client, t)
    assert ("on_hold", "On hold", True) in _stages(client, t)


def test_refusals_are_shown_next_to_the_stage_and_nothing_is_written(client):
    t = sign_up(client)
    csrf = sign_in(client, t)
    before = _stages(client, t)
    r = client.post(PIPE, data={"_csrf": csrf, "new_key": "Bad Key!", "new_label": "Bad"})
    assert r.status_code == 422
    assert "The stages were not saved" in r.text and "<code>Bad Key!</code>" in r.text
    assert 'value="Bad Key!"' in r.text  # what was typed stays in the form
    r = client.post(PIPE, data={"_csrf": csrf, "label.lead": " "})
    assert r.status_code == 422 and "<code>lead</code>" in r.text
    r = client.post(PIPE, data={"_csrf": csrf, "new_key": "won", "new_label": "Again"})
    assert r.status_code == 422 and "listed twice" in r.text
    assert _stages(client, t) == before
    assert client.post("/settings/pipelines/no.such", data={"_csrf": csrf}).status_code == 404


def test_only_owners_and_admins(client):
    t = sign_up(client)
    add_member(client, t, "m@example.com", role="member", password="member password 1")
    csrf = sign_in(client, t, email="m@example.com", password="member password 1")
    assert client.get("/settings/pipelines").status_code == 403
    r = client.post(PIPE, data={"_csrf": csrf, "new_key": "x", "new_label": "X"})
    assert r.status_code == 403
    assert "x" not in [k for k, _, _ in _stages(client, t)]
