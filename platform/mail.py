"""Outgoing e-mail: SMTP when ``RAPPORT_SMTP_URL`` is set; otherwise the log and a local
outbox folder (``<data dir>/mail-outbox``), so a developer can open the links.

Mail goes out after the response (a background task), so an answer never waits for, or
reveals through its timing, whether a message was sent. A failed delivery is logged,
never shown to the caller.
"""

from __future__ import annotations

import asyncio
import os
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from urllib.parse import unquote, urlsplit

import structlog

from rapport.settings import Settings

log = structlog.get_logger("rapport.mail")

SMTP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str


class MailConfigError(ValueError):
    """``RAPPORT_SMTP_URL`` cannot be understood; the message says why."""


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    security: str  # "plain", "starttls" or "tls"
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpTarget:
    """``smtp://host:25``, ``smtp+starttls://user:pass@host:587``, ``smtps://host:465``."""
    parts = urlsplit(url)
    schemes = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("tls", 465)}
    if parts.scheme not in schemes:
        raise MailConfigError(
            f"RAPPORT_SMTP_URL: scheme must be one of {', '.join(schemes)}, got {parts.scheme!r}"
        )
    if not parts.hostname:
        raise MailConfigError("RAPPORT_SMTP_URL: a host is required")
    security, default_port = schemes[parts.scheme]
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or default_port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def build_message(settings: Settings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="rapport.invalid")
    message.set_content(mail.text)
    return message


def deliver_message(target: SmtpTarget, message: EmailMessage) -> None:
    """Send one ready message through ``target`` (blocking; raises on failure)."""
    if target.security == "tls":
        server: smtplib.SMTP = smtplib.SMTP_SSL(
            target.host, target.port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
        )
    else:
        server = smtplib.SMTP(target.host, target.port, timeout=SMTP_TIMEOUT)
    with server:
        if target.security == "starttls":
            server.starttls(context=ssl.create_default_context())
        if target.username:
            server.login(target.username, target.password or "")
        server.send_message(message)


def outbox_dir(settings: Settings) -> Path:
    return settings.data_dir / "mail-outbox"


def _write_outbox(folder: Path, message: EmailMessage) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
    # Written then renamed, so a reader never sees half a message.
    partial = path.with_suffix(".part")
    fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(message.as_bytes())
    partial.rename(path)
    return path


def send(settings: Settings, mail: Mail) -> None:
    """Deliver one message now (blocking). Raises on SMTP failure."""
    message = build_message(settings, mail)
    if settings.smtp_url:
        deliver_message(parse_smtp_url(settings.smtp_url), message)
        log.info("mail sent", to=mail.to, subject=mail.subject)
        return
    path = _write_outbox(outbox_dir(settings), message)
    # Development only: the text carries one-time links, which is the point of showing it.
    log.info("mail not sent (no RAPPORT_SMTP_URL)", to=mail.to, subject=mail.subject,
             outbox=str(path), text=mail.text)


async def deliver(settings: Settings, mail: Mail) -> None:
    """Send in a worker thread; log a failure instead of raising (the caller's answer is
    already decided and must not depend on the mail server)."""
    try:
        await asyncio.to_thread(send, settings, mail)
    except (OSError, smtplib.SMTPException, MailConfigError) as exc:
        log.error("mail delivery failed", to=mail.to, subject=mail.subject,
                  error=f"{type(exc).__name__}: {exc}")
