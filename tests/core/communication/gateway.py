"""A small real HTTP server on loopback standing in for an SMS or messenger gateway: it
keeps every POST it accepts, after checking the sender's signature. A number in
``refuse`` is refused for good (400); one in ``busy`` is answered 503 that many times
first (a gateway that is down for a while); every ``Idempotency-Key`` seen is kept."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.loopback import serving

SECRET = "gateway-test-secret"


@dataclass
class Gateway:
    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    busy: dict[str, int] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, number: str) -> list[dict[str, Any]]:
        with self.lock:
            return [m for m in self.received if m["to"] == number]


def _handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # the name http.server calls
            body = self.rfile.read(int(self.headers["Content-Length"]))
            parts = dict(p.split("=", 1) for p in self.headers["X-Rapport-Signature"].split(","))
            expected = hmac.new(SECRET.encode(), parts["t"].encode() + b"." + body,
                                hashlib.sha256).hexdigest()
            message = json.loads(body)
            with gateway.lock:
                gateway.keys.append(self.headers.get("Idempotency-Key", ""))
                busy = gateway.busy.get(message["to"], 0)
                if busy:
                    gateway.busy[message["to"]] = busy - 1
            if not hmac.compare_digest(expected, parts["v1"]):
                self.send_response(401)
            elif message["to"] in gateway.refuse:
                self.send_response(400)
            elif busy:
                self.send_response(503)
            else:
                with gateway.lock:
                    gateway.received.append(message)
                self.send_response(202)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(json.dumps({"id": f"gw-{message['id']}"}).encode())

        def log_message(self, *args: Any) -> None:
            return

    return Handler


@contextmanager
def running() -> Iterator[Gateway]:
    gateway = Gateway()
    with serving(_handler(gateway)) as address:
        gateway.url = f"{address}/send"
        yield gateway
