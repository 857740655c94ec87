"""Campaigns over real HTTP, a real SMTP server (aiosmtpd) and a real gateway on loopback:
the audience with its exclusions explained, sending in the worker with consent checked on
every sending path, a killed send resumed without duplicates, the cap across campaigns,
one-click unsubscribes and bounces updating consent, and bad input."""

# ruff: noqa: RUF001

from __future__ import annotations

from collections.abc import Iterator

import pytest

from rapport.core.communication.senders import SendFailed, SmtpSender, WebhookSender
from tests import mailbox
from tests.conftest import TenantHandle, sign_up, unique
from tests.core.communication import gateway
from tests.core.communication.support import (
    NO_LEASE,
    campaign,
    consent,
    contact,
    run_pass,
    send_all,
    template,
)

CAMPAIGNS = "/api/v1/campaigns"


@pytest.fixture(scope="module")
def gw() -> Iterator[gateway.Gateway]:
    with gateway.running() as running:
        yield running


def senders(client, gw: gateway.Gateway) -> dict:
    settings = client.app.state.settings
    hook = WebhookSender(gw.url, gateway.SECRET)
    return {"email": SmtpSender(settings.smtp_url, settings.mail_from), "sms": hook,
            "messenger": hook}


def _people(client, t: TenantHandle, tag: str, channel: str) -> dict[str, str]:
    """One person per outcome, all tagged ``tag``; addresses unique to the tenant."""
    def person(name: str, **extra) -> str:
        return contact(client, t, given_name=name, patronymic="Петрович", language="uk",
                       tags=[tag], **extra)

    def reach(name: str) -> dict:
        return ({"email": f"{name}.{t.slug}@example.com"} if channel == "email"
                else {"phones": [f"+38067{abs(hash((name, t.slug, tag))) % 10**7:07d}"]})

    people = {
        "yes": person("Микола", **reach("yes")),
        "opted_out": person("Петро", **reach("out")),
        "silent": person("Іван", **reach("silent")),
        "dnc": person("Тарас", **reach("dnc")),
        "no_address": person("Олег"),
    }
    for name in ("yes", "dnc", "no_address"):
        consent(client, t, people[name], channel, "opt_in")
    consent(client, t, people["opted_out"], channel, "opt_out")
    r = client.put(f"/api/v1/contacts/{people['dnc']}/contact-policy", headers=t.headers,
                   json={"do_not_contact": True})
    assert r.status_code == 200, r.text
    return people


def _address(client, t, contact_id: str, channel: str) -> str:
    found = client.get(f"/api/v1/contacts/{contact_id}", headers=t.headers).json()
    return found["email"] if channel == "email" else found["phones"][0]["number"]


def _delivered(client, t, gw, contact_id: str, channel: str) -> int:
    address = _address(client, t, contact_id, channel)
    return len(mailbox.MAILBOX.sent_to(address) if channel == "email" else gw.to(address))


@pytest.mark.parametrize("channel", ["email", "sms", "messenger"])
def test_only_those_who_may_be_contacted_receive_anything(client, gw, channel):
    """Every sending path asks the kernel's may_contact before each message: an opt-out,
    no opt-in, do-not-contact — and an opt-out given after scheduling — receive nothing."""
    t = sign_up(client)
    tag = unique("spring")
    people = _people(client, t, tag, channel)
    late = contact(client, t, given_name="Ганна", patronymic="Іванівна", language="uk",
                   tags=[tag], **({"email": f"late.{t.slug}@example.com"}
                                  if channel == "email" else {"phones": ["+380501112233"]}))
    consent(client, t, late, channel, "opt_in")
    body = {"channel": channel, "subject": "{{ salutation }}" if channel == "email" else None}
    made = template(client, t, **body)
    c = campaign(client, t, made["id"], {"filter": f"tags:in:{tag}"})
    audience = client.get(f"{CAMPAIGNS}/{c['id']}/audience", headers=t.headers).json()
    assert audience["matching"] == 6 and audience["reachable"] == 2
    reasons = {e["reason"]: e["count"] for e in audience["excluded"]}
    assert reasons == {"opted_out": 1, "no_consent": 1, "do_not_contact": 1, "no_address": 1}
    if channel == "email":
        assert "1 excluded: opted out of email" in audience["summary"]
    r = client.post(f"{CAMPAIGNS}/{c['id']}/schedule", headers=t.headers, json={})
    assert r.status_code == 200 and r.json()["status"] == "scheduled", r.text
    consent(client, t, late, channel, "opt_out")  # changed their mind before the worker ran
    assert send_all(client, senders(client, gw)) >= 1
    assert _delivered(client, t, gw, people["yes"], channel) == 1
    for name in ("opted_out", "silent", "dnc"):
        assert _delivered(client, t, gw, people[name], channel) == 0, name
    assert _delivered(client, t, gw, late, channel) == 0
    done = client.get(f"{CAMPAIGNS}/{c['id']}", headers=t.headers).json()
    assert done["status"] == "sent"
    assert done["progress"] == {"total": 6, "pending": 0, "sent": 1, "skipped": 5, "failed": 0,
                                "bounced": 0}
    messages = client.get(f"{CAMPAIGNS}/{c['id']}/messages", headers=t.headers).json()["items"]
    skipped = sorted(m["reason"] for m in messages if m["status"] == "skipped")
    assert skipped == ["do_not_contact", "no_address", "no_consent", "opted_out", "opted_out"]
    timeline = client.get(f"/api/v1/contacts/{people['yes']}/timeline",
                          headers=t.headers).json()["items"]
    sent = [i for i in timeline if i["record_type"] == "interaction"]
    assert len(sent) == 1 and sent[0]["data"]["direction"] == "outbound"
    assert sent[0]["data"]["campaign"] == "Spring"


def test_the_letter_greets_by_name_and_unsubscribes_in_one_click(client):
    t = sign_up(client)
    tag = unique("news")
    address = f"olena.{t.slug}@example.com"
    who = contact(client, t, given_name="Олена", patronymic="Іванівна", language="uk",
                  tags=[tag], email=address)
    consent(client, t, who, "email", "opt_in", topic="newsletter")
    made = template(client, t, topic="newsletter", subject="Новини",
                    body="{{ salutation }}!\nВідписатися: {{ unsubscribe_url }}")
    c = campaign(client, t, made["id"], {"filter": f"tags:in:{tag}"})
    assert client.post(f"{CAMPAIGNS}/{c['id']}/schedule", headers=t.headers,
                       json={}).status_code == 200
    send_all(client)
    letter = mailbox.MAILBOX.wait_for(address)
    assert letter.text.startswith("Шановна Олено Іванівно!")
    link = letter.headers["list-unsubscribe"].strip("<>")
    assert letter.headers["list-unsubscribe-post"] == "List-Unsubscribe=One-Click"
    assert link in letter.text
    path = link.removeprefix("http://testserver")
    page = client.get(path)
    assert page.status_code == 200 and "Unsubscribe" in page.text
    assert client.get(f"/api/v1/contacts/{who}/may-contact", headers=t.headers, params={
        "channel": "email", "topic": "newsletter"}).json()["allowed"] is True
    r = client.post(path, content=b"List-Unsubscribe=One-Click",
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200, r.text
    assert r.json() == {"channel": "email", "topic": "newsletter", "unsubscribed": True,
                        "already": False}
    assert client.post(path).json()["already"] is True
    decision = client.get(f"/api/v1/contacts/{who}/may-contact", headers=t.headers, params={
        "channel": "email", "topic": "newsletter"}).json()
    assert decision["allowed"] is False and decision["reason"] == "opted_out"
    tampered = path[:-2] + ("AA" if not path.endswith("AA") else "BB")
    assert client.post(tampered).status_code == 422


class Killed(Exception):
    """Stands for the process dying mid-send: nothing in the worker catches it."""


class DiesAfter:
    """Delivers for real, then 'dies' right after the n-th message left — before the
    worker could record it: the worst moment for a duplicate."""

    def __init__(self, real: SmtpSender, n: int) -> None:
        self.real, self.n, self.count = real, n, 0

    async def send(self, message):
        provider = await self.real.send(message)
        self.count += 1
        if self.count == self.n:
            raise Killed
        return provider


def test_a_killed_send_resumes_without_sending_anything_twice(client):
    t = sign_up(client)
    tag = unique("resume")
    addresses = [f"p{i}.{t.slug}@example.com" for i in range(7)]
    for i, address in enumerate(addresses):
        consent(client, t, contact(client, t, given_name=f"P{i}", tags=[tag], email=address),
                "email", "opt_in")
    made = template(client, t, language="en", subject="Hi", body="{{ salutation }}")
    c = campaign(client, t, made["id"], {"filter": f"tags:in:{tag}"})
    client.post(f"{CAMPAIGNS}/{c['id']}/schedule", headers=t.headers, json={})
    settings = client.app.state.settings
    real = SmtpSender(settings.smtp_url, settings.mail_from)
    with pytest.raises(Killed):
        run_pass(client, {"email": DiesAfter(real, 3)}, batch=2)
    progress = client.get(f"{CAMPAIGNS}/{c['id']}", headers=t.headers).json()["progress"]
    assert progress["sent"] == 2 and progress["pending"] == 5  # the third is in doubt
    send_all(client, {"email": real}, batch=2, **NO_LEASE)
    for address in addresses:
        mailbox.MAILBOX.wait_for(address)
        assert len(mailbox.MAILBOX.sent_to(address)) == 1, address
    done = client.get(f"{CAMPAIGNS}/{c['id']}", headers=t.headers).json()
    assert done["status"] == "sent"
    assert done["progress"]["sent"] == 6 and done["progress"]["failed"] == 1
    doubt = client.get(f"{CAMPAIGNS}/{c['id']}/messages", headers=t.headers,
                       params={"status": "failed"}).json()["items"]
    assert [m["reason"] for m in doubt] == ["interrupted"]


def test_frequency_cap_across_campaigns_and_bounces(client, gw):
    t = sign_up(client)
    tag = unique("cap")
    address = f"cap.{t.slug}@example.com"
    who = contact(client, t, given_name="Cap", tags=[tag], email=address)
    consent(client, t, who, "email", "opt_in")
    made = template(client, t, language="en", subject="Hi", body="x")
    first = campaign(client, t, made["id"], {"filter": f"tags:in:{tag}"}, name="First")
    client.post(f"{CAMPAIGNS}/{first['id']}/schedule", headers=t.headers, json={})
    send_all(client)
    second = campaign(client, t, made["id"], {"filter": f"tags:in:{tag}"}, name="Second",
                      frequency_cap={"max": 1, "per_days": 7})
    audience = client.get(f"{CAMPAIGNS}/{second['id']}/audience", headers=t.headers).json()
    assert audience["reachable"] == 0
    assert audience["excluded"][0]["reason"] == "campaign_cap"
    r = client.post(f"{CAMPAIGNS}/{second['id']}/schedule", headers=t.headers, json={})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "audience"
    sent = client.get(f"{CAMPAIGNS}/{first['id']}/messages", headers=t.headers).json()["items"]
    r = client.post(f"{CAMPAIGNS}/bounces", headers=t.headers, json={
        "message_id": sent[0]["id"], "kind": "hard", "diagnostic": "550 5.1.1 no such user"})
    assert r.status_code == 200 and r.json()["consent_recorded"] is True, r.text
    unknown = client.post(f"{CAMPAIGNS}/bounces", headers=t.headers, json={
        "message_id": "0190f0f0-0000-7000-8000-000000000000", "kind": "hard"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "message_id"
    decision = client.get(f"/api/v1/contacts/{who}/may-contact", headers=t.headers,
                          params={"channel": "email", "topic": "offers"}).json()
    assert decision["reason"] == "opted_out"
    assert len(mailbox.MAILBOX.sent_to(address)) == 1


def test_a_refusing_gateway_fails_the_message_not_the_campaign(client, gw):
    t = sign_up(client)
    tag = unique("gw")
    number = "+380931234567"
    who = contact(client, t, given_name="Gw", tags=[tag], phones=[number])
    consent(client, t, who, "sms", "opt_in")
    gw.refuse.add(number)
    made = template(client, t, channel="sms", subject=None, language="en", body="hi")
    c = campaign(client, t, made["id"], {"filter": f"tags:in:{tag}"})
    client.post(f"{CAMPAIGNS}/{c['id']}/schedule", headers=t.headers, json={})
    send_all(client, senders(client, gw))
    done = client.get(f"{CAMPAIGNS}/{c['id']}", headers=t.headers).json()
    assert done["status"] == "sent" and done["progress"]["failed"] == 1
    failed = client.get(f"{CAMPAIGNS}/{c['id']}/messages", headers=t.headers).json()["items"]
    assert failed[0]["reason"] == "rejected" and "400" in failed[0]["detail"]
    assert issubclass(SendFailed, Exception)


def test_drafts_cancel_and_bad_input(client):
    t = sign_up(client)
    made = template(client, t, language="en", subject="Hi", body="x")
    bad = [
        ({"template_id": made["id"]}, "segment_id"),
        ({"template_id": made["id"], "definition": {"nope": 1}}, "definition"),
        ({"template_id": "0190f0f0-0000-7000-8000-000000000000",
          "definition": {"filter": "tags:in:x"}}, "template_id"),
        ({"template_id": made["id"], "segment_id": "0190f0f0-0000-7000-8000-000000000000"},
         "segment_id"),
    ]
    for body, field in bad:
        r = client.post(CAMPAIGNS, headers=t.headers, json={"name": "x", **body})
        assert r.status_code == 422, r.text
        assert r.json()["errors"][0]["field"].startswith(field), r.text
    empty = campaign(client, t, made["id"], {"filter": f"tags:in:{unique('none')}"})
    r = client.post(f"{CAMPAIGNS}/{empty['id']}/schedule", headers=t.headers, json={})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "audience"
    later = campaign(client, t, made["id"], {"filter": "tags:in:x"},
                     send_at="2031-01-01T09:00:00+00:00")
    assert client.post(f"{CAMPAIGNS}/{later['id']}/cancel", headers=t.headers).status_code == 409
    r = client.patch(f"{CAMPAIGNS}/{later['id']}", headers=t.headers, json={"name": "Later"})
    assert r.status_code == 200 and r.json()["name"] == "Later"
    assert client.delete(f"/api/v1/templates/{made['id']}", headers=t.headers).status_code == 409
    assert client.delete(f"{CAMPAIGNS}/{later['id']}", headers=t.headers).status_code == 204
