"""A real SMTP server (aiosmtpd) on loopback that keeps what the app sends, so tests read
invitations, reset links and confirmations the way a person reads their inbox."""

from __future__ import annotations

import re
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Letter:
    to: str
    subject: str
    text: str
    # Every header of the message (the last value of a repeated one), by lower-case name.
    headers: dict[str, str] = field(default_factory=dict, compare=False)
    # The HTML alternative, if the letter has one.
    html: str = field(default="", compare=False)

    def link_param(self, name: str) -> str:
        """The value of ``name=`` in the first link of the letter."""
        found = re.search(rf"[?&]{name}=([A-Za-z0-9_\-]+)", self.text)
        assert found, f"no {name}= link in: {self.text}"
        return found.group(1)

    @property
    def token(self) -> str:
        return self.link_param("token")


@dataclass
class Mailbox:
    letters: list[Letter] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def _keep(self, to: list[str], raw: bytes) -> None:
        msg: Message = message_from_bytes(raw, policy=default_policy)
        body = msg.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
        text = body.get_content() if body is not None else ""
        rich = msg.get_body(preferencelist=("html",))  # type: ignore[attr-defined]
        html = rich.get_content() if rich is not None else ""
        with self.lock:
            for rcpt in to:
                headers = {k.lower(): str(v) for k, v in msg.items()}
                self.letters.append(Letter(rcpt.lower(), str(msg["Subject"]), text, headers,
                                           html))

    def sent_to(self, address: str) -> list[Letter]:
        with self.lock:
            return [m for m in self.letters if m.to == address.lower()]

    def wait_for(self, address: str, *, count: int = 1, timeout: float = 10.0) -> Letter:
        """The newest letter to ``address`` once at least ``count`` have arrived (mail
        leaves after the HTTP answer, so it may trail the response by a moment)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.sent_to(address)
            if len(got) >= count:
                return got[-1]
            time.sleep(0.02)
        raise AssertionError(f"no letter #{count} to {address} within {timeout} s")


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server, session, envelope) -> str:  # the name aiosmtpd calls
        self.box._keep(list(envelope.rcpt_tos), envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


MAILBOX = Mailbox()
_controller: Controller | None = None


def start() -> Mailbox:
    """Start the server once per test process; later calls return the same mailbox."""
    global _controller
    attempts = 5
    while _controller is None:
        # Each pytest-xdist worker runs its own server; another process may take the free
        # port between ``_free_port`` and the bind, so a failed bind tries another port.
        port = _free_port()
        controller = Controller(_Handler(MAILBOX), hostname="127.0.0.1", port=port)
        try:
            controller.start()
        except OSError:
            attempts -= 1
            if not attempts:
                raise
            continue
        _controller = controller
        MAILBOX.url = f"smtp://127.0.0.1:{port}"
    return MAILBOX


def stop() -> None:
    global _controller
    if _controller is not None:
        _controller.stop()
        _controller = None
