"""What plugins exchange with the communication area: variables for message templates,
the event types members may subscribe to, and senders (a channel's delivery)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True)
class TemplateQuery:
    """Asks an enabled plugin for its template variables for one contact.

    ``contact_id`` is None when the editor asks which variables exist: answer with
    example values then (their names are what templates may use).
    """

    tenant_id: uuid.UUID
    session: AsyncSession
    contact_id: uuid.UUID | None
    language: str


@dataclass(frozen=True)
class SubscriptionEvent:
    """An event type a member may subscribe to: the domain event's ``name`` (``<plugin>.
    <what>`` for a plugin's) and a short ``title`` per language (``{"en": …, "uk": …}``)."""

    name: str
    title: dict[str, str]

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title.get("en") or self.name


@dataclass(frozen=True)
class Outgoing:
    """One message to one address. ``message_id`` is ours and the same on every attempt
    (a provider dedupes on it); ``unsubscribe_url`` becomes the RFC 8058 headers; ``html``
    is the HTML alternative of an e-mail (with the open pixel), if the body is HTML."""

    message_id: str
    channel: str
    to: str
    subject: str | None
    body: str
    unsubscribe_url: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    html: str | None = None


class SendFailed(Exception):
    """The message was not accepted; ``str()`` says why. ``temporary`` (an SMTP 4xx, a
    gateway's 5xx or time-out): the kernel tries again later, with backoff; otherwise the
    refusal is final and the message fails at once."""

    def __init__(self, reason: str, *, temporary: bool = False) -> None:
        super().__init__(reason)
        self.temporary = temporary


class Sender(Protocol):
    async def send(self, message: Outgoing) -> str:
        """Deliver ``message``; return the provider's id for it, or raise ``SendFailed``."""


@dataclass(frozen=True)
class SenderSettings:
    """What a sender may be configured from: the deployment's SMTP URL and From address,
    and the process environment (a plugin reads its own ``RAPPORT_<PLUGIN>_…`` variables)."""

    smtp_url: str | None
    mail_from: str
    environ: Mapping[str, str]


@dataclass(frozen=True)
class SenderDeclaration:
    """A plugin's sender for one ``channel`` (``email``, ``sms``, ``messenger``): ``build``
    makes it from the settings, or answers None when it is not configured here."""

    channel: str
    build: Callable[[SenderSettings], Sender | None]
