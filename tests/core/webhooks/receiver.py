"""A real HTTP server on loopback receiving webhooks: it keeps every request (headers and
body) and answers with the status it is told to; and one pass of the worker's outbox and
webhook deliveries for a tenant."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from rapport.core.events.outbox import deliver_tenant
from rapport.core.modules.enabled import enabled_modules
from rapport.core.webhooks.delivery import send_due
from rapport.db.session import tenant_session
from tests.loopback import serving


@dataclass
class Receiver:
    url: str = ""
    status: int = 200
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the name http.server calls
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with receiver.lock:
                receiver.received.append((dict(self.headers.items()), body))
            self.send_response(receiver.status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    return Handler


@contextmanager
def running() -> Iterator[Receiver]:
    receiver = Receiver()
    with serving(_handler(receiver)) as address:
        receiver.url = f"{address}/hook"
        yield receiver


def worker_pass(client, tenant_id: str) -> int:
    """The outbox pass of ``rapport worker`` for the tenant, then one delivery pass (over
    every tenant: the suite shares one database); how many deliveries succeeded."""
    state = client.app.state

    async def run() -> int:
        tid = uuid.UUID(tenant_id)
        async with tenant_session(state.sessionmaker, tid) as session:
            hooks = state.registry.for_tenant(await enabled_modules(session, tid))
            await deliver_tenant(session, hooks, tid, 500)
        return await send_due(state.sessionmaker, max_tenants=1_000_000)

    return client.blocking_portal.call(run)
