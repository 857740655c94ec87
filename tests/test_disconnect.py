"""A client that hangs up in the middle of its body is its own doing: no 500, no error log.
Driven through a real uvicorn server on loopback and a raw socket."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn

from rapport.app import create_app
from tests.conftest import make_settings


@pytest.fixture
def server(database) -> Iterator[tuple[str, int]]:
    """uvicorn serving a fresh app on a random loopback port, stopped at the end."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    app = create_app(make_settings(), database.app_url)
    config = uvicorn.Config(app, log_level="info", lifespan="on")
    running = uvicorn.Server(config)
    thread = threading.Thread(
        target=lambda: asyncio.run(running.serve(sockets=[listening])), daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield "127.0.0.1", port
    finally:
        running.should_exit = True
        thread.join(timeout=20)
        listening.close()


def _send_half_a_body_and_hang_up(address: tuple[str, int], path: str) -> None:
    body = b'{"organization": {"name": "Half'
    with socket.create_connection(address, timeout=5) as conn:
        conn.sendall(
            b"POST " + path.encode() + b" HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n" + body
        )
        time.sleep(0.2)  # the app is now waiting for the rest of the body


def _records(captured: str) -> list[dict]:
    return [json.loads(line) for line in captured.splitlines() if line.startswith("{")]


def test_client_hanging_up_mid_body_is_not_logged_as_a_500(server, capsys):
    capsys.readouterr()
    _send_half_a_body_and_hang_up(server, "/api/v1/signup")
    deadline = time.monotonic() + 10
    records: list[dict] = []
    captured = ""
    while time.monotonic() < deadline:
        captured += capsys.readouterr().err
        records = _records(captured)
        if any(r.get("event") == "request" for r in records):
            break
        time.sleep(0.05)
    access = [r for r in records if r.get("event") == "request"]
    assert [(r["path"], r["status"]) for r in access] == [("/api/v1/signup", 499)]
    assert not [r for r in records if r.get("level") in ("error", "critical", "exception")]
    assert "Traceback" not in captured and "Exception in ASGI application" not in captured
