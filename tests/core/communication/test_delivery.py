"""Delivery beyond the first try, over real peers on loopback: a gateway or SMTP server
that refuses for now is tried again with backoff (the run's clock moved, no sleeps) and the
message leaves exactly once; a final refusal fails at once; every attempt is visible in
``GET /campaigns/{id}/messages``. A plugin's sender declared through ``rapport_senders``
serves the tenants that enabled it. Delivery status notifications (RFC 3464) written as
Postfix and Exim write them are applied over the API and from a mailbox by the CLI."""

from __future__ import annotations

import mailbox as stdlib_mailbox
import socket
import threading
import types
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from rapport.core.communication.cli import campaigns_group
from rapport.core.communication.senders import SmtpSender, WebhookSender
from rapport.db.urls import libpq_url
from rapport.hooks import load_registry
from rapport.sdk import Outgoing, PluginManifest, SenderDeclaration, SendFailed, hookimpl
from tests import mailbox
from tests.conftest import TEST_SECRET, TenantHandle, sign_up, unique
from tests.core.communication import gateway
from tests.core.communication.support import (
    campaign,
    consent,
    contact,
    run_pass,
    send_all,
    template,
)

CAMPAIGNS = "/api/v1/campaigns"
SAMPLES = Path(__file__).parent / "dsn_samples"
NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def gw() -> Iterator[gateway.Gateway]:
    with gateway.running() as running:
        yield running


def _sms_campaign(client, t: TenantHandle, number: str) -> dict:
    tag = unique("retry")
    who = contact(client, t, given_name="Retry", tags=[tag], phones=[number])
    consent(client, t, who, "sms", "opt_in")
    made = template(client, t, channel="sms", subject=None, language="en", body="hi {{ "
                    "contact.given_name }}")
    c = campaign(client, t, made["id"], {"filter": f"tags:in:{tag}"})
    r = client.post(f"{CAMPAIGNS}/{c['id']}/schedule", headers=t.headers, json={})
    assert r.status_code == 200, r.text
    return c


def _messages(client, t: TenantHandle, campaign_id: str) -> list[dict]:
    r = client.get(f"{CAMPAIGNS}/{campaign_id}/messages", headers=t.headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]


def _campaign(client, t: TenantHandle, campaign_id: str) -> dict:
    return client.get(f"{CAMPAIGNS}/{campaign_id}", headers=t.headers).json()


def test_a_busy_gateway_is_tried_again_with_backoff_and_sent_once(client, gw):
    t = sign_up(client)
    number = f"+38050{abs(hash(t.slug)) % 10**7:07d}"
    gw.busy[number] = 2
    c = _sms_campaign(client, t, number)
    hook = {"sms": WebhookSender(gw.url, gateway.SECRET)}
    send_all(client, hook, clock=lambda: NOW)
    (first,) = _messages(client, t, c["id"])
    assert first["status"] == "pending" and first["reason"] == "retrying"
    assert "503" in first["detail"] and first["attempts"] == 1
    assert first["attempt_log"][0]["result"] == "retry"
    assert first["attempt_log"][0]["temporary"] is True
    # The first wait is a minute: a pass before it sends nothing.
    due = datetime.fromisoformat(first["due_at"])
    assert timedelta(seconds=50) < due - NOW <= timedelta(minutes=1, seconds=5)
    assert run_pass(client, hook, clock=lambda: NOW + timedelta(seconds=30)) == 0
    assert _campaign(client, t, c["id"])["status"] == "sending"
    assert _campaign(client, t, c["id"])["progress"]["pending"] == 1
    run_pass(client, hook, clock=lambda: NOW + timedelta(minutes=2))
    (second,) = _messages(client, t, c["id"])
    assert second["attempts"] == 2 and second["status"] == "pending"
    # Then five minutes.
    waited = datetime.fromisoformat(second["due_at"]) - (NOW + timedelta(minutes=2))
    assert timedelta(minutes=4) < waited <= timedelta(minutes=5, seconds=5)
    run_pass(client, hook, clock=lambda: NOW + timedelta(hours=1))
    (sent,) = _messages(client, t, c["id"])
    assert sent["status"] == "sent" and sent["reason"] is None and sent["attempts"] == 3
    assert [a["result"] for a in sent["attempt_log"]] == ["retry", "retry", "sent"]
    assert len(gw.to(number)) == 1
    # Every attempt carried our message id: a gateway can drop a repeat.
    assert gw.keys.count(sent["id"]) == 3
    done = _campaign(client, t, c["id"])
    assert done["status"] == "sent" and done["progress"]["sent"] == 1
    assert done["stats"]["sent"] == 1 and done["stats"]["delivered"] == 1


def test_attempts_are_bounded_and_a_final_refusal_fails_at_once(client, gw):
    t = sign_up(client)
    busy = f"+38063{abs(hash(t.slug)) % 10**7:07d}"
    gw.busy[busy] = 10
    c = _sms_campaign(client, t, busy)
    hook = {"sms": WebhookSender(gw.url, gateway.SECRET)}
    send_all(client, hook, max_attempts=3, backoff=(timedelta(0),))
    (gave_up,) = _messages(client, t, c["id"])
    assert gave_up["status"] == "failed" and gave_up["reason"] == "rejected"
    assert gave_up["attempts"] == 3 and gave_up["detail"].startswith("refused 3 times")
    assert [a["result"] for a in gave_up["attempt_log"]] == ["retry", "retry", "failed"]
    assert gw.to(busy) == []
    refused = f"+38066{abs(hash(t.slug)) % 10**7:07d}"
    gw.refuse.add(refused)
    c2 = _sms_campaign(client, t, refused)
    send_all(client, hook, backoff=(timedelta(0),))
    (final,) = _messages(client, t, c2["id"])
    assert final["status"] == "failed" and final["attempts"] == 1
    assert final["attempt_log"][0]["temporary"] is False and "400" in final["detail"]


# ------------------------------------------------------------------ SMTP 4xx and 5xx


class _Picky:
    """An SMTP server that answers 451 to ``later`` the first time and 550 to ``never``."""

    def __init__(self, later: str, never: str) -> None:
        self.later, self.never = later, never
        self.tried: list[str] = []
        self.accepted: list[bytes] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        with self.lock:
            self.tried.append(address)
            if address == self.never:
                return "550 5.1.1 No such mailbox"
            if address == self.later and self.tried.count(address) == 1:
                return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.accepted.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


@pytest.fixture
def picky() -> Iterator[tuple[_Picky, str]]:
    later, never = f"later.{unique('m')}@example.com", f"never.{unique('m')}@example.com"
    handler = _Picky(later, never)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    try:
        yield handler, f"smtp://127.0.0.1:{port}"
    finally:
        server.stop()


def test_smtp_4xx_is_retried_and_5xx_fails(client, picky):
    handler, url = picky
    t = sign_up(client)
    tag = unique("smtp")
    for name, address in (("Later", handler.later), ("Never", handler.never)):
        consent(client, t, contact(client, t, given_name=name, tags=[tag], email=address),
                "email", "opt_in")
    made = template(client, t, language="en", subject="Hello", body="{{ salutation }}")
    c = campaign(client, t, made["id"], {"filter": f"tags:in:{tag}"})
    client.post(f"{CAMPAIGNS}/{c['id']}/schedule", headers=t.headers, json={})
    send_all(client, {"email": SmtpSender(url, "campaigns@rapport.example")},
             backoff=(timedelta(0),))
    by_address = {m["address"]: m for m in _messages(client, t, c["id"])}
    later, never = by_address[handler.later], by_address[handler.never]
    assert later["status"] == "sent" and later["attempts"] == 2
    assert "451" in later["attempt_log"][0]["error"]
    assert handler.tried.count(handler.later) == 2 and len(handler.accepted) == 1
    assert never["status"] == "failed" and never["attempts"] == 1 and "550" in never["detail"]


# ------------------------------------------------------------------ a plugin's sender


class _Pigeon:
    """A plugin's SMS sender: keeps what it carries; refuses a number starting +1999."""

    def __init__(self, carried: list[Outgoing]) -> None:
        self.carried = carried

    async def send(self, message: Outgoing) -> str:
        if message.to.startswith("+1999"):
            raise SendFailed("no pigeon flies there")
        self.carried.append(message)
        return f"pigeon-{len(self.carried)}"


def _relay_plugin(carried: list[Outgoing]) -> types.ModuleType:
    mod = types.ModuleType("relay_senders")

    def manifest() -> PluginManifest:
        return PluginManifest("relay", "Pigeon relay", "1.0")

    def senders() -> list[SenderDeclaration]:
        return [SenderDeclaration("sms", lambda settings: _Pigeon(carried))]

    mod.rapport_manifest = hookimpl(manifest)
    mod.rapport_senders = hookimpl(senders)
    return mod


def _enable(database, tenant_id: str, name: str) -> None:
    with database.connect_superuser() as conn:
        conn.execute("INSERT INTO tenant_modules (tenant_id, id, name, enabled) "
                     "VALUES (%s, gen_random_uuid(), %s, true)", (tenant_id, name))


def test_a_plugin_declares_a_sender_for_the_tenants_that_enabled_it(client, database):
    carried: list[Outgoing] = []
    registry = load_registry(extra=[("relay", _relay_plugin(carried))])
    on, off = sign_up(client), sign_up(client)
    _enable(database, on.id, "relay")
    numbers = {}
    campaigns = {}
    for t in (on, off):
        numbers[t.slug] = f"+38097{abs(hash(t.slug)) % 10**7:07d}"
        campaigns[t.slug] = _sms_campaign(client, t, numbers[t.slug])
    state = client.app.state
    from rapport.core.communication.sending import Run, send_due

    run = Run(state.sessionmaker, registry, state.settings)  # senders from the hook
    for _ in range(5):
        client.blocking_portal.call(send_due, run, 1_000_000)
    (sent,) = _messages(client, on, campaigns[on.slug]["id"])
    assert sent["status"] == "sent"
    mine = [m for m in carried if m.to == numbers[on.slug]]
    assert len(mine) == 1 and mine[0].body == "hi Retry" and mine[0].message_id == sent["id"]
    # The tenant without the plugin has no SMS sender here (no gateway configured).
    (unsent,) = _messages(client, off, campaigns[off.slug]["id"])
    assert unsent["status"] == "failed" and unsent["reason"] == "no_sender"
    assert not [m for m in carried if m.to == numbers[off.slug]]
    # The kernel declares its own senders through the same hook.
    kernel = [d.channel for name, d in registry.declared("rapport_senders", frozenset())]
    assert sorted(kernel) == ["email", "messenger", "sms"]


# ------------------------------------------------------------------ DSN bounces


def _letter_campaign(client, t: TenantHandle, *addresses: str) -> dict[str, dict]:
    tag = unique("dsn")
    for address in addresses:
        consent(client, t, contact(client, t, given_name="Ann", tags=[tag], email=address),
                "email", "opt_in", topic="newsletter")
    made = template(client, t, language="en", subject="Spring offer",
                    body="{{ salutation }}!", topic="newsletter")
    c = campaign(client, t, made["id"], {"filter": f"tags:in:{tag}"})
    r = client.post(f"{CAMPAIGNS}/{c['id']}/schedule", headers=t.headers, json={})
    assert r.status_code == 200, r.text
    send_all(client)
    found = {m["address"]: m for m in _messages(client, t, c["id"])}
    assert all(found[a]["status"] == "sent" for a in addresses)
    return found


def _sample(name: str, message_id: str, address: str) -> str:
    text = (SAMPLES / name).read_text()
    return text.replace("MESSAGE_ID", message_id).replace("<RECIPIENT>", address)


def test_dsn_reports_apply_the_bounce_rules(client):
    t = sign_up(client)
    hard, soft = f"hard.{t.slug}@example.com", f"soft.{t.slug}@example.com"
    sent = _letter_campaign(client, t, hard, soft)
    # The letter carries what a DSN quotes back.
    letter = mailbox.MAILBOX.sent_to(hard)[-1]
    assert letter.headers["message-id"] == f"<{sent[hard]['id']}@rapport.invalid>"
    assert letter.headers["x-rapport-message"] == sent[hard]["id"]
    r = client.post(f"{CAMPAIGNS}/bounces/dsn", headers=t.headers,
                    json={"dsn": _sample("postfix_hard.eml", sent[hard]["id"], hard)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "hard" and body["dsn_status"] == "5.1.1"
    assert body["status"] == "bounced" and body["consent_recorded"] is True
    assert body["recipient"] == hard and "User unknown" in body["diagnostic"]
    contact_id = sent[hard]["contact_id"]
    consent_now = client.get(f"/api/v1/contacts/{contact_id}/consent", headers=t.headers)
    assert any(c["channel"] == "email" and c["topic"] == "newsletter"
               and c["status"] == "opt_out" for c in consent_now.json()["consents"])
    # Exim's delay warning: a soft bounce, matched by the returned Message-ID alone.
    r = client.post(f"{CAMPAIGNS}/bounces/dsn", headers=t.headers,
                    json={"dsn": _sample("exim_delayed.eml", sent[soft]["id"], soft)})
    assert r.status_code == 200, r.text
    assert r.json()["kind"] == "soft" and r.json()["consent_recorded"] is False
    assert r.json()["dsn_status"] == "4.2.2"
    stats = _campaign(client, t, _campaign_of(client, t, sent[hard]["id"]))["stats"]
    assert stats["bounced"] == 2 and stats["sent"] == 2 and stats["delivered"] == 0


def _campaign_of(client, t: TenantHandle, message_id: str) -> str:
    for c in client.get(CAMPAIGNS, headers=t.headers).json()["items"]:
        if any(m["id"] == message_id for m in _messages(client, t, c["id"])):
            return c["id"]
    raise AssertionError(f"no campaign has message {message_id}")


def test_dsn_refusals_name_the_problem(client):
    t = sign_up(client)
    address = f"ok.{t.slug}@example.com"
    sent = _letter_campaign(client, t, address)[address]

    def refused(text: str, status: int = 422) -> str:
        r = client.post(f"{CAMPAIGNS}/bounces/dsn", headers=t.headers, json={"dsn": text})
        assert r.status_code == status, r.text
        return r.text

    assert "delivered" in refused(_sample("delivered.eml", sent["id"], address))
    assert "delivery status notification" in refused("Subject: hello\n\nnot a report\n")
    foreign = _sample("postfix_hard.eml", "0" * 8 + "-0000-4000-8000-" + "0" * 12, address)
    assert "no such campaign message" in refused(foreign)
    # Another tenant's message is not found either.
    other = sign_up(client)
    r = client.post(f"{CAMPAIGNS}/bounces/dsn", headers=other.headers,
                    json={"dsn": _sample("postfix_hard.eml", sent["id"], address)})
    assert r.status_code == 422 and "dsn" in r.text
    assert "dsn" in refused("") and "dsn" in client.post(
        f"{CAMPAIGNS}/bounces/dsn", headers=t.headers, json={}).text


def test_the_cli_applies_a_mailbox_of_reports(client, database, monkeypatch, tmp_path):
    monkeypatch.setenv("RAPPORT_DATABASE_URL", libpq_url(database.owner_url))
    monkeypatch.setenv("RAPPORT_APP_DATABASE_URL", libpq_url(database.app_url))
    monkeypatch.setenv("RAPPORT_SECRET_KEY", TEST_SECRET)
    t = sign_up(client)
    first, second = f"a.{t.slug}@example.com", f"b.{t.slug}@example.com"
    sent = _letter_campaign(client, t, first, second)
    box = stdlib_mailbox.mbox(tmp_path / "bounces.mbox")
    box.add(_sample("postfix_hard.eml", sent[first]["id"], first).encode())
    box.add(_sample("exim_delayed.eml", sent[second]["id"], second).encode())
    box.add(b"From: someone@example.com\nSubject: out of office\n\nAway until Monday.\n")
    box.flush()
    box.close()
    result = CliRunner().invoke(campaigns_group, ["bounces", "--tenant", t.slug,
                                                  str(tmp_path / "bounces.mbox")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "2 bounces applied, 1 skipped" in result.output
    assert f"{sent[first]['id']} hard bounce (5.1.1)" in result.output
    assert "opt-out recorded" in result.output
    states = {m["address"]: m for m in _messages(client, t, _campaign_of(
        client, t, sent[first]["id"]))}
    assert states[first]["status"] == "bounced" and states[first]["reason"] == "hard"
    assert states[second]["status"] == "bounced" and states[second]["reason"] == "soft"
    maildir = stdlib_mailbox.Maildir(tmp_path / "maildir")
    maildir.add(_sample("postfix_hard.eml", sent[first]["id"], first).encode())
    again = CliRunner().invoke(campaigns_group, ["bounces", "--tenant", t.slug,
                                                 str(tmp_path / "maildir")],
                               catch_exceptions=False)
    assert again.exit_code == 0 and "1 bounces applied" in again.output
