"""The trash screen over plain HTTP: deleted records are listed with who deleted them,
a writer restores, only owners and admins purge, another tenant's ids answer 404."""

from __future__ import annotations

from tests.conftest import add_member, sign_up
from tests.console.support import sign_in


def _deleted_contact(client, t, name: str) -> str:
    r = client.post("/api/v1/contacts", json={"given_name": name}, headers=t.headers)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    assert client.delete(f"/api/v1/contacts/{cid}", headers=t.headers).status_code == 204
    return cid


def test_the_trash_lists_restores_and_purges(client):
    t = sign_up(client)
    kept = _deleted_contact(client, t, "Bohdana")
    gone = _deleted_contact(client, t, "Taras")
    csrf = sign_in(client, t)
    assert 'href="/trash"' in client.get("/").text
    page = client.get("/trash")
    assert page.status_code == 200
    assert "Bohdana" in page.text and "Taras" in page.text and "Delete for good" in page.text
    r = client.post(f"/trash/contacts/{kept}/restore", data={"_csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/trash"
    assert client.get(f"/api/v1/contacts/{kept}", headers=t.headers).status_code == 200
    r = client.post(f"/trash/contacts/{gone}/purge", data={"_csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/trash").text
    assert "Bohdana" not in page and "Taras" not in page and "The trash is empty." in page
    # Without the CSRF token nothing happens.
    again = _deleted_contact(client, t, "Ostap")
    r = client.post(f"/trash/contacts/{again}/restore", data={}, follow_redirects=False)
    assert r.status_code == 403 or r.headers.get("location", "").startswith("/sign-in")
    assert client.get(f"/api/v1/contacts/{again}", headers=t.headers).status_code == 404


def test_a_viewer_sees_the_trash_but_no_buttons(client):
    t = sign_up(client)
    cid = _deleted_contact(client, t, "Myroslava")
    viewer = add_member(client, t, f"viewer-{t.slug}@example.com", role="viewer")
    csrf = sign_in(client, t, email=f"viewer-{t.slug}@example.com", password=viewer["password"])
    page = client.get("/trash").text
    assert "Myroslava" in page and "Restore" not in page and "Delete for good" not in page
    r = client.post(f"/trash/contacts/{cid}/restore", data={"_csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 403


def test_another_tenants_trash_answers_404(client):
    victim = sign_up(client)
    cid = _deleted_contact(client, victim, "Hidden")
    attacker = sign_up(client)
    csrf = sign_in(client, attacker)
    assert "Hidden" not in client.get("/trash").text
    for action in ("restore", "purge"):
        r = client.post(f"/trash/contacts/{cid}/{action}", data={"_csrf": csrf},
                        follow_redirects=False)
        assert r.status_code == 404
    assert cid in {i["id"] for i in client.get(
        "/api/v1/trash", headers=victim.headers).json()["items"]}
