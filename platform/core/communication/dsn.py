"""Delivery status notifications (RFC 3464) read with the standard library's ``email``
package: which of our messages bounced, hard or soft, and what the receiving server said.

A DSN is a ``multipart/report; report-type=delivery-status``: a human part, a
``message/delivery-status`` part (a per-message block, then one block per recipient with
``Action``, ``Status`` and ``Diagnostic-Code``) and the returned message or its headers
(``message/rfc822`` or ``text/rfc822-headers``). Ours is found by the ``X-Rapport-Message``
header every campaign letter carries, else by its ``Message-ID``
(``<message-id@rapport.invalid>``), else by that id quoted anywhere in the report.

``Status`` 5.x.x (or ``Action: failed`` without a status) is a hard bounce, 4.x.x (or
``Action: delayed``) a soft one; ``delivered``, ``relayed`` and ``expanded`` are not
bounces at all.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage, Message

from sqlalchemy.ext.asyncio import AsyncSession

from rapport.core.communication.optout import bounce
from rapport.core.communication.senders import MESSAGE_HEADER, MESSAGE_ID_DOMAIN
from rapport.errors import invalid
from rapport.hooks import TenantHooks
from rapport.tenancy.principal import Principal

QUOTED_ID = re.compile(
    r"<?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})@"
    + re.escape(MESSAGE_ID_DOMAIN) + r">?")
STATUS = re.compile(r"^([245])\.\d{1,3}\.\d{1,3}$")
NOT_BOUNCES = ("delivered", "relayed", "expanded")


@dataclass(frozen=True)
class Report:
    """One DSN: our message's id, ``hard`` or ``soft``, the status code, what the server
    said, and the recipient it was about."""

    message_id: uuid.UUID
    kind: str
    status: str | None
    action: str
    diagnostic: str
    recipient: str | None


def _parse(raw: bytes) -> EmailMessage:
    # The default policy makes EmailMessage objects (compat32 would make Message ones).
    return message_from_bytes(raw, policy=policy.default)


def _blocks(report: EmailMessage) -> list[Message]:
    """The per-message and per-recipient blocks of the delivery-status part."""
    for part in report.walk():
        if part.get_content_type() == "message/delivery-status":
            payload = part.get_payload()
            if isinstance(payload, list):
                return [b for b in payload if isinstance(b, Message)]
    return []


def _returned_headers(report: EmailMessage) -> list[Message]:
    found: list[Message] = []
    for part in report.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            found.extend(p for p in (payload if isinstance(payload, list) else [payload])
                         if isinstance(p, Message))
        elif kind == "text/rfc822-headers":
            text = part.get_payload(decode=True)
            found.append(_parse(text if isinstance(text, bytes) else b""))
    return found


def _our_id(report: EmailMessage, raw: bytes) -> uuid.UUID | None:
    for headers in _returned_headers(report):
        ours = str(headers.get(MESSAGE_HEADER, "") or "").strip()
        try:
            return uuid.UUID(ours)
        except ValueError:
            match = QUOTED_ID.search(str(headers.get("Message-ID", "") or ""))
            if match:
                return uuid.UUID(match.group(1))
    match = QUOTED_ID.search(raw.decode("utf-8", "replace"))
    return uuid.UUID(match.group(1)) if match else None


def _value(block: Message, name: str) -> str:
    raw = str(block.get(name, "") or "").strip()
    # "rfc822; someone@example.com", "smtp; 550 5.1.1 no such user"
    return raw.split(";", 1)[1].strip() if ";" in raw else raw


def parse(raw: bytes) -> Report:
    """The report of ``raw``, or 422 on ``dsn`` saying what is missing."""
    report = _parse(raw)
    report_type = str(report.get_param("report-type") or "")
    if report.get_content_type() != "multipart/report" or \
            report_type.lower() != "delivery-status":
        raise invalid("dsn", "not a delivery status notification (RFC 3464): expected "
                      "multipart/report; report-type=delivery-status")
    recipients = [b for b in _blocks(report)[1:] if b.get("Action") or b.get("Status")]
    if not recipients:
        raise invalid("dsn", "the report has no per-recipient fields (Action, Status)")
    # The first recipient that failed decides; a report of mixed results names it.
    failing = [b for b in recipients
               if _value(b, "Action").lower() not in NOT_BOUNCES] or recipients
    block = failing[0]
    action = _value(block, "Action").lower()
    status = _value(block, "Status") or None
    if action in NOT_BOUNCES:
        raise invalid("dsn", f"the report says the message was {action}, not that it bounced")
    code = STATUS.match(status or "")
    if code and code.group(1) == "2":
        raise invalid("dsn", f"status {status} is a success, not a bounce")
    soft = (code.group(1) == "4") if code else action == "delayed"
    message_id = _our_id(report, raw)
    if message_id is None:
        raise invalid("dsn", "the report names none of our messages (no X-Rapport-Message "
                      "or Message-ID of ours in the returned headers)")
    said = " ".join(_value(block, "Diagnostic-Code").split())
    diagnostic = said or f"{action} {status or ''}".strip()
    return Report(message_id, "soft" if soft else "hard", status, action or "failed",
                  diagnostic[:2000], _value(block, "Final-Recipient") or None)


async def apply(session: AsyncSession, actor: Principal, hooks: TenantHooks,
                raw: bytes) -> tuple[Report, str, bool]:
    """Parse the DSN and apply the bounce rules to its message (``optout.bounce``): the
    report, the message's status, whether an opt-out was recorded."""
    found = parse(raw)
    status, recorded = await bounce(session, actor, hooks, found.message_id, found.kind,
                                    found.diagnostic, field="dsn")
    return found, status, recorded
