"""Pluggable senders: SMTP for e-mail, a signed webhook for SMS and messenger gateways.

A sender delivers one ``Outgoing`` message and returns the provider's id for it, or raises
``SendFailed`` — ``temporary`` when the provider may take it later (an SMTP 4xx, a
connection that failed, a gateway's 5xx, 429 or time-out: the worker retries with
backoff), otherwise final. Every attempt carries the same message id (the e-mail's
``Message-ID``, the gateway's ``id`` and ``Idempotency-Key``), so a provider that did get
an attempt we could not confirm can drop the repeat.

Senders are declared per channel through the ``rapport_senders`` hook — the kernel's SMTP
and gateway ones by the communication area, a plugin's the same way (docs/plugins.md);
``senders_for`` builds a tenant's mapping from the declarations. Tests and deployments may
pass their own mapping to ``sending.Run``.
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
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

import httpx

from rapport.hooks import (
    Outgoing,
    PluginRegistry,
    Sender,
    SenderDeclaration,
    SenderSettings,
    SendFailed,
)
from rapport.mail import MailConfigError, deliver_message, parse_smtp_url
from rapport.settings import Settings

WEBHOOK_TIMEOUT = 10.0
SIGNATURE_HEADER = "X-Rapport-Signature"
# Our id of the campaign message, in every letter: a DSN that quotes the headers finds it.
MESSAGE_HEADER = "X-Rapport-Message"
MESSAGE_ID_DOMAIN = "rapport.invalid"

Senders = Mapping[str, Sender]

__all__ = ["Outgoing", "SendFailed", "Sender", "Senders", "SmtpSender", "WebhookSender",
           "default_senders", "email_message", "message_id_header", "senders_for"]


def message_id_header(message_id: str) -> str:
    """The ``Message-ID`` of a campaign message: the same on every attempt (a retried
    letter is the same letter), and how a DSN names it back."""
    return f"<{message_id}@{MESSAGE_ID_DOMAIN}>"


def email_message(mail_from: str, message: Outgoing) -> EmailMessage:
    email = EmailMessage()
    email["From"] = mail_from
    email["To"] = message.to
    email["Subject"] = message.subject or ""
    email["Date"] = format_datetime(datetime.now(UTC))
    email["Message-ID"] = message_id_header(message.message_id)
    email[MESSAGE_HEADER] = message.message_id
    if message.unsubscribe_url:
        # RFC 8058: a mail client may unsubscribe with one POST, no page to visit.
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    for name, value in message.headers.items():
        email[name] = value
    email.set_content(message.body)
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
    return email


def _temporary(exc: BaseException) -> bool:
    """An SMTP refusal with a 4xx code, or a connection that failed, may succeed later;
    a 5xx code (unknown mailbox, refused content) never will."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, OSError | smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError)


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
            raise SendFailed(f"{type(exc).__name__}: {exc}",
                             temporary=_temporary(exc)) from exc
        return str(email["Message-ID"])


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 of ``timestamp.body`` in hex: what the gateway checks."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return mac.hexdigest()


@dataclass(frozen=True)
class WebhookSender:
    """POSTs ``{"id", "channel", "to", "body"}`` as JSON to a gateway, signed with
    ``X-Rapport-Signature: t=<unix time>,v1=<hmac>`` and ``Idempotency-Key: <id>`` (the
    same on a retry); any 2xx is accepted, and the answer's ``id`` (if any) is kept as the
    provider's id. A time-out, a connection that failed, 408, 429 and 5xx are temporary;
    other answers are final."""

    url: str
    secret: str
    timeout: float = WEBHOOK_TIMEOUT

    async def send(self, message: Outgoing) -> str:
        body = json.dumps({"id": message.message_id, "channel": message.channel,
                           "to": message.to, "body": message.body}).encode()
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "Idempotency-Key": message.message_id,
                   SIGNATURE_HEADER: f"t={stamp},v1={signature(self.secret, stamp, body)}"}
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                answer = await client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise SendFailed(f"gateway unreachable: {type(exc).__name__}: {exc}",
                             temporary=True) from exc
        if not answer.is_success:
            code = answer.status_code
            raise SendFailed(f"gateway answered {code}: {answer.text[:200]}",
                             temporary=code >= 500 or code in (408, 429))
        try:
            found = answer.json().get("id")
        except (ValueError, AttributeError):
            found = None
        return str(found or message.message_id)


def _smtp(settings: SenderSettings) -> Sender | None:
    return SmtpSender(settings.smtp_url, settings.mail_from) if settings.smtp_url else None


def _gateway(channel: str) -> SenderDeclaration:
    def build(settings: SenderSettings) -> Sender | None:
        url = settings.environ.get(f"RAPPORT_{channel.upper()}_WEBHOOK_URL")
        secret = settings.environ.get("RAPPORT_GATEWAY_SECRET", "")
        return WebhookSender(url, secret) if url and secret else None
    return SenderDeclaration(channel, build)


# The kernel's senders, declared through rapport_senders like any plugin's.
KERNEL_SENDERS = (SenderDeclaration("email", _smtp), _gateway("sms"), _gateway("messenger"))


def sender_settings(settings: Settings) -> SenderSettings:
    return SenderSettings(settings.smtp_url, settings.mail_from, dict(os.environ))


def senders_for(registry: PluginRegistry, settings: Settings,
                enabled: frozenset[str] | None = None) -> dict[str, Sender]:
    """Channel → sender for a tenant with these plugins enabled (None: kernel areas and
    every loaded plugin): the kernel's declarations first, then plugins' in name order,
    a later one replacing an earlier one for its channel; a declaration whose ``build``
    answers None (not configured) leaves the channel as it was."""
    config = sender_settings(settings)
    declared = registry.declared("rapport_senders", enabled)
    kernel = [d for name, d in declared if _builtin(registry, name)]
    plugins = sorted(((name, d) for name, d in declared if not _builtin(registry, name)),
                     key=lambda pair: pair[0])
    senders: dict[str, Sender] = {}
    for declaration in [*kernel, *(d for _, d in plugins)]:
        built = declaration.build(config)
        if built is not None:
            senders[declaration.channel] = built
    return senders


def _builtin(registry: PluginRegistry, name: str) -> bool:
    return registry.get(name) is None


def default_senders(settings: Settings) -> dict[str, Sender]:
    """The kernel's senders alone: e-mail through ``RAPPORT_SMTP_URL``; SMS and messenger
    through the gateways at ``RAPPORT_SMS_WEBHOOK_URL`` / ``RAPPORT_MESSENGER_WEBHOOK_URL``,
    signed with ``RAPPORT_GATEWAY_SECRET``. A channel without a sender is not sent (its
    messages fail with "no sender configured")."""
    config = sender_settings(settings)
    built = {d.channel: d.build(config) for d in KERNEL_SENDERS}
    return {channel: sender for channel, sender in built.items() if sender is not None}
