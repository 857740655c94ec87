"""``rapport campaigns send`` and ``status`` in this process (click's CliRunner), against
the suite's PostgreSQL and the loopback SMTP server."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from rapport.core.communication.cli import campaigns_group
from rapport.db.urls import libpq_url
from tests import mailbox
from tests.conftest import TEST_SECRET, sign_up, unique
from tests.core.communication.support import campaign, consent, contact, template


@pytest.fixture
def cli_env(database, monkeypatch):
    monkeypatch.setenv("RAPPORT_DATABASE_URL", libpq_url(database.owner_url))
    monkeypatch.setenv("RAPPORT_APP_DATABASE_URL", libpq_url(database.app_url))
    monkeypatch.setenv("RAPPORT_SMTP_URL", mailbox.start().url)
    monkeypatch.setenv("RAPPORT_SECRET_KEY", TEST_SECRET)


def test_send_and_status_from_the_command_line(client, cli_env):
    t = sign_up(client)
    tag = unique("cli")
    address = f"cli.{t.slug}@example.com"
    consent(client, t, contact(client, t, given_name="Cli", tags=[tag], email=address),
            "email", "opt_in")
    contact(client, t, given_name="Silent", tags=[tag], email=f"s.{t.slug}@example.com")
    made = template(client, t, language="en", subject="Hi", body="{{ salutation }}")
    c = campaign(client, t, made["id"], {"filter": f"tags:in:{tag}"}, name="Cli run")
    assert client.post(f"/api/v1/campaigns/{c['id']}/schedule", headers=t.headers,
                       json={}).status_code == 200
    sent = CliRunner().invoke(campaigns_group, ["send"], catch_exceptions=False)
    assert sent.exit_code == 0, sent.output
    assert "messages handled" in sent.output
    assert len(mailbox.MAILBOX.sent_to(address)) == 1
    status = CliRunner().invoke(campaigns_group, ["status", "--tenant", t.slug],
                                catch_exceptions=False)
    assert status.exit_code == 0, status.output
    row = next(line for line in status.output.splitlines() if "Cli run" in line)
    assert "sent" in row and " 1 " in row
