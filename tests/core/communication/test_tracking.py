"""Open and click tracking over real SMTP and HTTP: the letter's links become signed
click links (only to the letter's own URLs), an HTML letter carries the open pixel; the
first open and the first click are each one entry on the contact's timeline (clicks are
counted), the campaign's stats follow, the attribution report credits them as touches;
a tampered link is a 422; the tenant's privacy switch and the campaign's turn it off."""


from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from rapport.core.communication import tracking
from tests import mailbox
from tests.conftest import TEST_SECRET, TenantHandle, sign_up, unique
from tests.core.communication.support import campaign, consent, contact, send_all, template

CAMPAIGNS = "/api/v1/campaigns"
BODY = ("<html><body><p>{{ salutation }}!</p>"
        '<p><a href="https://shop.example/spring?utm=mail">Spring collection</a></p>'
        "<p>Terms: https://shop.example/terms.</p>"
        '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>')
CLICK = re.compile(r"https?://[^\s\"<>]+/api/v1/track/click/[A-Za-z0-9_\-]+")
PIXEL = re.compile(r"https?://[^\s\"<>]+/api/v1/track/open/[A-Za-z0-9_\-]+")


def _send(client, t: TenantHandle, address: str, **options) -> tuple[dict, dict]:
    tag = unique("track")
    who = contact(client, t, given_name="Ann", family_name="Lee", tags=[tag], email=address)
    consent(client, t, who, "email", "opt_in")
    made = template(client, t, language="en", subject="Spring", body=BODY)
    c = campaign(client, t, made["id"], {"filter": f"tags:in:{tag}"}, name=unique("Spring"),
                 **options)
    r = client.post(f"{CAMPAIGNS}/{c['id']}/schedule", headers=t.headers, json={})
    assert r.status_code == 200, r.text
    send_all(client)
    (message,) = client.get(f"{CAMPAIGNS}/{c['id']}/messages",
                            headers=t.headers).json()["items"]
    assert message["status"] == "sent"
    return c, message


def _path(url: str) -> str:
    return urlsplit(url).path


def _timeline(client, t: TenantHandle, contact_id: str) -> list[dict]:
    r = client.get("/api/v1/interactions", headers=t.headers,
                   params={"contact_id": contact_id, "limit": 100})
    assert r.status_code == 200, r.text
    return r.json()["items"]


@pytest.fixture(scope="module")
def tracked(client) -> tuple[TenantHandle, dict, dict, mailbox.Letter]:
    t = sign_up(client)
    address = f"ann.{t.slug}@example.com"
    c, message = _send(client, t, address)
    return t, c, message, mailbox.MAILBOX.sent_to(address)[-1]


def test_links_are_signed_and_the_letter_carries_a_pixel(client, tracked):
    t, _c, message, letter = tracked
    # The HTML part: both links rewritten, the pixel at the end, unsubscribe untouched.
    assert "https://shop.example/spring" not in letter.html
    assert len(set(CLICK.findall(letter.html))) == 2
    assert len(PIXEL.findall(letter.html)) == 1
    unsubscribe = letter.headers["list-unsubscribe"].strip("<>")
    assert unsubscribe in letter.html
    # The text part beside it has the same click links and no markup.
    assert "<p>" not in letter.text and "Spring collection" in letter.text
    assert set(CLICK.findall(letter.text)) == set(CLICK.findall(letter.html))
    assert "https://shop.example/terms" not in letter.text
    # The timeline keeps the message as rendered, not the tracking links.
    sent = [i for i in _timeline(client, t, message["contact_id"])
            if i["direction"] == "outbound"]
    assert len(sent) == 1 and "https://shop.example/spring?utm=mail" in sent[0]["notes"]


def test_opens_and_clicks_are_recorded_once_and_counted(client, tracked):
    t, c, message, letter = tracked
    pixel = _path(PIXEL.findall(letter.html)[0])
    for _ in range(2):
        r = client.get(pixel)
        assert r.status_code == 200 and r.headers["content-type"] == "image/gif"
        assert r.content.startswith(b"GIF89a") and "no-store" in r.headers["cache-control"]
    links = list(dict.fromkeys(CLICK.findall(letter.html)))
    spring, terms = (_path(u) for u in links)
    for _ in range(2):
        r = client.get(spring, follow_redirects=False)
        assert r.status_code == 302
        assert r.headers["location"] == "https://shop.example/spring?utm=mail"
    r = client.get(terms, follow_redirects=False)
    assert r.headers["location"] == "https://shop.example/terms"
    mine = [i for i in _timeline(client, t, message["contact_id"])
            if i["direction"] == "inbound"]
    subjects = sorted(i["subject"] for i in mine)
    assert subjects == ["Clicked https://shop.example/spring?utm=mail", "Opened: Spring"]
    assert {(i["kind"], i["channel"], i["campaign"]) for i in mine} == {
        ("email", "email", c["name"])}
    (after,) = client.get(f"{CAMPAIGNS}/{c['id']}/messages", headers=t.headers).json()["items"]
    assert after["opened_at"] and after["clicked_at"] and after["clicks"] == 3
    stats = client.get(f"{CAMPAIGNS}/{c['id']}", headers=t.headers).json()["stats"]
    assert stats == {"sent": 1, "delivered": 1, "opened": 1, "clicked": 1, "clicks": 3,
                     "bounced": 0, "unsubscribed": 0}


def test_attribution_credits_opens_and_clicks_as_touches(client, tracked):
    t, c, message, letter = tracked
    for path in (PIXEL.findall(letter.html)[0], CLICK.findall(letter.html)[0]):
        client.get(_path(path), follow_redirects=False)
    now = datetime.now(UTC)
    r = client.post("/api/v1/interactions", headers=t.headers, json={
        "contact_id": message["contact_id"], "kind": "visit", "channel": "store",
        "occurred_at": (now - timedelta(days=1)).isoformat()})
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/transactions", headers=t.headers, json={
        "currency": "EUR", "channel": "store", "contact_id": message["contact_id"],
        "occurred_at": (now + timedelta(seconds=5)).isoformat(),
        "lines": [{"product": "Coat", "quantity": "1", "unit_price": "100"}]})
    assert r.status_code == 201, r.text
    period = {"from": (now - timedelta(days=2)).isoformat(),
              "to": (now + timedelta(days=1)).isoformat()}

    def credit(model: str, dimension: str) -> dict[str, float]:
        r = client.get("/api/v1/attribution", headers=t.headers,
                       params={**period, "model": model})
        assert r.status_code == 200, r.text
        return {row["key"]: float(row["credit"]) for row in r.json()[dimension]}

    # Touches: the visit, the message sent, its open, its click — a quarter each.
    linear = credit("linear", "channels")
    assert linear == pytest.approx({"store": 0.25, "email": 0.75})
    assert credit("linear", "campaigns") == pytest.approx({c["name"]: 0.75})
    # The click is the last touch.
    assert credit("last_touch", "campaigns") == pytest.approx({c["name"]: 1.0})


def test_tampered_and_foreign_links_are_refused(client, tracked):
    t, _c, message, letter = tracked
    click = _path(CLICK.findall(letter.html)[0])
    token = click.rsplit("/", 1)[1]
    changed = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    for path in (f"/api/v1/track/click/{changed}", f"/api/v1/track/open/{changed}"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 422 and "token" in r.text
    # An open token is no click token, and a link index the message never had is refused.
    pixel_token = _path(PIXEL.findall(letter.html)[0]).rsplit("/", 1)[1]
    assert client.get(f"/api/v1/track/click/{pixel_token}",
                      follow_redirects=False).status_code == 422
    forged = tracking.sign(TEST_SECRET, uuid.UUID(t.id), uuid.UUID(message["id"]), tracking.CLICK, 7)
    r = client.get(f"/api/v1/track/click/{forged}", follow_redirects=False)
    assert r.status_code == 422 and "no such link" in r.text
    assert client.get("/api/v1/track/open/not*a*token").status_code in (400, 404, 422)


def test_the_privacy_switches_turn_tracking_off(client):
    t = sign_up(client)
    off_for_campaign = f"camp.{t.slug}@example.com"
    c, _ = _send(client, t, off_for_campaign, tracking=False)
    assert c["tracking"] is False
    letter = mailbox.MAILBOX.sent_to(off_for_campaign)[-1]
    assert "https://shop.example/spring?utm=mail" in letter.html
    assert not CLICK.findall(letter.html) and not PIXEL.findall(letter.html)
    r = client.put("/api/v1/contacts/settings", headers=t.headers, json={"tracking": False})
    assert r.status_code == 200 and r.json()["tracking"] is False
    off_for_tenant = f"org.{t.slug}@example.com"
    c2, _message = _send(client, t, off_for_tenant)
    assert c2["tracking"] is True
    letter = mailbox.MAILBOX.sent_to(off_for_tenant)[-1]
    assert not CLICK.findall(letter.html + letter.text) and not PIXEL.findall(letter.html)
    # Unsubscribing by the letter's link still counts in the stats.
    link = letter.headers["list-unsubscribe"].strip("<>")
    assert client.post(_path(link)).status_code == 200
    stats = client.get(f"{CAMPAIGNS}/{c2['id']}", headers=t.headers).json()["stats"]
    assert stats["unsubscribed"] == 1 and stats["opened"] == 0
