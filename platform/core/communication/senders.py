"""Pluggable senders: SMTP for e-mail, a signed webhook for SMS and messenger gateways.

A sender delivers one ``Outgoing`` message and returns the provider's id for it, or raises
``SendFailed`` (the message is marked failed with the reason; nothing is retried, so
nothing goes out twice). Which sender serves a channel is decided by ``default_senders``
from the settings and the environment; tests and deployments may pass their own mapping.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import smtplib
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Protocol

import httpx

from rapport.mail import MailConfigError, deliver_message, parse_smtp_url
from rapport.settings import Settings

WEBHOOK_TIMEOUT = 10.0
SIGNATURE_HEADER = "X-Rapport-Signature"


@dataclass(frozen=True)
class Outgoing:
    """One message to one address; ``unsubscribe_url`` becomes the RFC 8058 headers."""

    message_id: str
    channel: str
    to: str
    subject: str | None
    body: str
    unsubscribe_url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


class SendFailed(Exception):
    """The message was not accepted; ``str()`` says why."""


class Sender(Protocol):
    async def send(self, message: Outgoing) -> str:
        """Deliver ``message``; return the provider's id for it, or raise ``SendFailed``."""


Senders = Mapping[str, Sender]


def email_message(mail_from: str, message: Outgoing) -> EmailMessage:
    email = EmailMessage()
    email["From"] = mail_from
    email["To"] = message.to
    email["Subject"] = message.subject or ""
    email["Date"] = format_datetime(datetime.now(UTC))
    email["Message-ID"] = make_msgid(idstring=message.message_id, domain="rapport.invalid")
    if message.unsubscribe_url:
        # RFC 8058: a mail client may unsubscribe with one POST, no page to visit.
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in message.headers.items():
        email[name] = value
    email.set_content(message.body)
    return email


@dataclass(frozen=True)
class SmtpSender:
    smtp_url: str
    mail_from: str

    async def send(self, message: Outgoing) -> str:
        email = email_message(self.mail_from, message)
        try:
            target = parse_smtp_url(self.smtp_url)
            await asyncio.to_thread(deliver_message, target, email)
        except (OSError, smtplib.SMTPException, MailConfigError) as exc:
            raise SendFailed(f"{type(exc).__name__}: {exc}") from exc
        return str(email["Message-ID"])


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of ``timestamp.body`` in hex: what the gateway checks."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return mac.hexdigest()


@dataclass(frozen=True)
class WebhookSender:
    """POSTs ``{"id", "channel", "to", "body"}`` as JSON to a gateway, signed with
    ``X-Rapport-Signature: t=<unix time>,v1=<hmac>``; any 2xx is accepted, and the
    answer's ``id`` (if any) is kept as the provider's id."""

    url: str
    secret: str

    async def send(self, message: Outgoing) -> str:
        body = json.dumps({"id": message.message_id, "channel": message.channel,
                           "to": message.to, "body": message.body}).encode()
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json",
                   SIGNATURE_HEADER: f"t={stamp},v1={signature(self.secret, stamp, body)}"}
        try:
            async with httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT) as client:
                answer = await client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise SendFailed(f"gateway unreachable: {type(exc).__name__}: {exc}") from exc
        if not answer.is_success:
            raise SendFailed(f"gateway answered {answer.status_code}: {answer.text[:200]}")
        try:
            found = answer.json().get("id")
        except (ValueError, AttributeError):
            found = None
        return str(found or message.message_id)


def default_senders(settings: Settings) -> dict[str, Sender]:
    """E-mail through ``RAPPORT_SMTP_URL``; SMS and messenger through the gateways at
    ``RAPPORT_SMS_WEBHOOK_URL`` / ``RAPPORT_MESSENGER_WEBHOOK_URL``, signed with
    ``RAPPORT_GATEWAY_SECRET``. A channel without a sender is not sent (its messages fail
    with "no sender configured")."""
    senders: dict[str, Sender] = {}
    if settings.smtp_url:
        senders["email"] = SmtpSender(settings.smtp_url, settings.mail_from)
    secret = os.environ.get("RAPPORT_GATEWAY_SECRET", "")
    for channel in ("sms", "messenger"):
        url = os.environ.get(f"RAPPORT_{channel.upper()}_WEBHOOK_URL")
        if url and secret:
            senders[channel] = WebhookSender(url, secret)
    return senders
