"""The frame around every page, read in one statement in the request's own transaction:
the organization switcher lists every organization the person belongs to (in name order),
the unread count, and the member's language."""

from __future__ import annotations

from tests.conftest import add_member, sign_up
from tests.console.support import sign_in


def test_the_switcher_lists_the_persons_organizations(client):
    a, b, c = sign_up(client), sign_up(client), sign_up(client)
    for t in (a, b):
        add_member(client, t, "both@example.com", password="member password 1")
    listed = client.get("/api/v1/members", headers=b.headers).json()["items"]
    assert [m["pending"] for m in listed if m["email"] == "both@example.com"] == [False]
    csrf = sign_in(client, a, email="both@example.com", password="member password 1")
    home = client.get("/").text
    switcher = home[home.index('class="switcher"'):home.index("</details>")]
    assert f"Org {a.slug}" in switcher and f"Org {b.slug}" in switcher
    assert f"Org {c.slug}" not in switcher
    assert f"tenant={b.slug}" in switcher and 'aria-current="true">Org ' + a.slug in switcher
    client.post("/preferences", data={"_csrf": csrf, "language": "uk"})
    assert '<html lang="uk">' in client.get("/").text
