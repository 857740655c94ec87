"""Settings in the console: only owners and admins reach them; members are invited,
re-invited, changed and removed under the API's rules; the marketplace switches modules on
and off (and the navigation with them) and saves their generated settings forms; custom
fields, the audit log, and a person's own password and sessions."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.conftest import add_member, sign_up
from tests.console.support import sign_in
from tests.mailbox import MAILBOX

HTMX = {"HX-Request": "true"}


def _htmx(csrf: str) -> dict[str, str]:
    return {**HTMX, "X-CSRF-Token": csrf}


@pytest.mark.parametrize("role", ["member", "viewer"])
def test_members_and_viewers_cannot_reach_settings(client, role):
    t = sign_up(client)
    email = f"{role}-{uuid.uuid4().hex[:6]}@example.com"
    add_member(client, t, email, role=role, password="plain member password")
    csrf = sign_in(client, t, email=email, password="plain member password")
    assert 'href="/settings"' not in client.get("/").text
    for path in ("/settings/members", "/settings/modules", "/settings/fields",
                 "/settings/audit"):
        assert client.get(path).status_code == 403, path
    r = client.post("/settings/members", data={"_csrf": csrf, "email": "x@example.com",
                                               "role": "admin"})
    assert r.status_code == 403
    r = client.post("/settings/modules/medical/enable", data={"_csrf": csrf})
    assert r.status_code == 403
    assert client.get("/api/v1/modules", headers=t.headers).json()["items"][0]["enabled"] is False


def test_invite_resend_change_role_and_remove(client):
    t = sign_up(client)
    csrf = sign_in(client, t)
    page = client.get("/settings/members")
    assert page.status_code == 200 and t.owner_email in page.text
    email = f"new-{uuid.uuid4().hex[:6]}@example.com"
    r = client.post("/settings/members", data={"email": email, "full_name": "Taras New",
                                               "role": "member"}, headers=_htmx(csrf))
    assert r.status_code == 200, r.text
    assert "invitation pending" in r.text and f"Invitation sent to {email}" in r.text
    assert 'data-announce="Invitation sent' in r.text
    first = MAILBOX.wait_for(email)
    member_id = re.search(r'id="member-([0-9a-f-]{36})"', r.text.split(email)[0][-3000:])
    listed = client.get("/api/v1/members", headers=t.headers).json()["items"]
    member_id = next(m["id"] for m in listed if m["email"] == email)

    r = client.post(f"/settings/members/{member_id}/invitation", headers=_htmx(csrf))
    assert r.status_code == 200 and "A new invitation is on its way" in r.text
    second = MAILBOX.wait_for(email, count=2)
    assert second.token != first.token

    r = client.post(f"/settings/members/{member_id}/role", data={"role": "admin"},
                    headers=_htmx(csrf))
    assert r.status_code == 200 and f"{email} is now Admin" in r.text
    assert next(m for m in client.get("/api/v1/members", headers=t.headers).json()["items"]
                if m["id"] == member_id)["role"] == "admin"

    r = client.post(f"/settings/members/{member_id}/remove", headers=_htmx(csrf))
    assert r.status_code == 200 and f"{email} was removed" in r.text
    assert email not in client.get("/settings/members").text


def test_the_last_owner_is_protected_and_admins_do_not_touch_owners(client):
    t = sign_up(client)
    owner_id = client.get("/api/v1/members", headers=t.headers).json()["items"][0]["id"]
    csrf = sign_in(client, t)
    r = client.post(f"/settings/members/{owner_id}/role", data={"role": "member"},
                    headers=_htmx(csrf))
    assert r.status_code == 200 and "The last owner cannot be demoted" in r.text
    r = client.post(f"/settings/members/{owner_id}/remove", headers=_htmx(csrf))
    assert "The last owner cannot be removed" in r.text

    add_member(client, t, "admin@example.com", role="admin", password="admin password 123")
    csrf = sign_in(client, t, email="admin@example.com", password="admin password 123")
    page = client.get("/settings/members").text
    assert "Only an owner can change an owner." in page
    assert '<option value="owner"' not in page
    r = client.post(f"/settings/members/{owner_id}/remove", headers=_htmx(csrf))
    assert "Only an owner can grant, change or remove the owner role" in r.text
    assert len(client.get("/api/v1/members", headers=t.headers).json()["items"]) == 2


def test_another_tenants_ids_answer_404(client):
    a, b = sign_up(client), sign_up(client)
    theirs = client.get("/api/v1/members", headers=b.headers).json()["items"][0]["id"]
    csrf = sign_in(client, a)
    for action in ("role", "remove", "invitation"):
        r = client.post(f"/settings/members/{theirs}/{action}", data={"_csrf": csrf,
                                                                       "role": "viewer"})
        assert r.status_code == 404, (action, r.text)
    assert client.get("/api/v1/members", headers=b.headers).json()["items"][0]["role"] == "owner"


def test_marketplace_switches_the_medical_nav_and_saves_settings(client):
    t = sign_up(client)
    csrf = sign_in(client, t)
    page = client.get("/settings/modules").text
    assert "Medical records" in page and "Turn on" in page
    assert "/apps/medical/" not in client.get("/").text

    r = client.post("/settings/modules/medical/enable", data={"_csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303 and "enabled=medical" in r.headers["location"]
    page = client.get("/settings/modules?enabled=medical").text
    assert "The module is on" in page and 'name="break_glass_minutes"' in page
    assert 'min="5"' in page and 'max="240"' in page
    assert "/apps/medical/" in page  # the navigation now has the module's screens

    r = client.post("/settings/modules/medical/settings",
                    data={"_csrf": csrf, "break_glass_minutes": "500"})
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text
    r = client.post("/settings/modules/medical/settings",
                    data={"_csrf": csrf, "break_glass_minutes": "30"}, follow_redirects=False)
    assert r.status_code == 303
    got = client.get("/api/v1/modules/medical/settings", headers=t.headers).json()
    assert got == {"break_glass_minutes": 30}

    r = client.post("/settings/modules/medical/disable", data={"_csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    assert "/apps/medical/" not in client.get("/").text
    assert client.get("/apps/medical/requests").status_code == 404


def test_custom_fields_are_listed_and_created(client):
    t = sign_up(client)
    csrf = sign_in(client, t)
    r = client.post("/settings/fields", data={"_csrf": csrf, "label": "Shoe size", "key": "Bad Key",
                                              "entity": "contact", "type": "integer"})
    assert r.status_code == 422 and 'id="f-key-error"' in r.text
    r = client.post("/settings/fields", data={"_csrf": csrf, "label": "Favourite drink",
                                              "key": "drink", "entity": "contact",
                                              "type": "enum", "options": "latte, flat white",
                                              "indexed": "on"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"]).text
    assert "custom.drink" in page and "latte, flat white" in page
    fields = client.get("/api/v1/fields?entity=contact", headers=t.headers).json()["items"]
    assert any(f["key"] == "custom.drink" or f.get("full_key") == "custom.drink" for f in fields)


def test_audit_log_viewer_pages_with_htmx(client):
    t = sign_up(client)
    for i in range(55):
        client.post("/api/v1/contacts", json={"given_name": f"Name{i}"}, headers=t.headers)
    sign_in(client, t)
    page = client.get("/settings/audit?record_type=contact")
    assert page.status_code == 200 and "Olena Owner" in page.text and "Show more" in page.text
    cursor = re.search(r"cursor=([^&\"]+)", page.text).group(1)
    more = client.get(f"/settings/audit?cursor={cursor}&record_type=contact", headers=HTMX)
    assert more.status_code == 200 and "<html" not in more.text and "<tr>" in more.text
    assert client.get("/settings/audit?record_type=").status_code == 200


def test_password_change_and_sign_out_everywhere(client):
    t = sign_up(client)
    csrf = sign_in(client, t)
    page = client.get("/account/security").text
    assert "this device" in page
    r = client.post("/account/security/password", data={
        "_csrf": csrf, "current_password": "wrong password", "new_password": "x"})
    assert r.status_code == 422 and 'id="f-new_password-error"' in r.text
    new = "a brand new passphrase 42"
    r = client.post("/account/security/password", data={
        "_csrf": csrf, "current_password": t.owner_password, "new_password": new},
        follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in?reset=1"
    assert client.get("/", follow_redirects=False).status_code in (302, 303)

    csrf = sign_in(client, t, password=new)
    r = client.post("/account/security/sign-out-everywhere", data={"_csrf": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/api/v1/me", headers=t.headers).status_code == 401
