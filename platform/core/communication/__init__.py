"""Communication: message templates per channel and language (Jinja2 in a sandbox, the
contact's declined salutation, the sender's signature, plugins' variables), campaigns sent
by the worker under the kernel's consent rules, pluggable senders (SMTP, gateway webhooks),
one-click unsubscribes and bounces, and members' subscriptions to events
(docs/communication.md).

Doors: ``templates_api``, ``campaigns_api``, ``people_api`` (subscriptions, signature),
``public_api`` (the unsubscribe link); the worker's side in ``sending`` and ``digest``.
"""

from rapport.core.communication.salutation import Address, address
from rapport.core.communication.senders import (
    Outgoing,
    Sender,
    SendFailed,
    SmtpSender,
    WebhookSender,
    default_senders,
)
from rapport.core.communication.sending import Run, send_due

__all__ = [
    "Address",
    "Outgoing",
    "Run",
    "SendFailed",
    "Sender",
    "SmtpSender",
    "WebhookSender",
    "address",
    "default_senders",
    "send_due",
]
