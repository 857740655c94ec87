"""README's first session runs as written, with nothing but bash, curl and python3: its
shell blocks, pointed at a real server on a free port whose mail goes to the outbox."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from rapport.app import create_app
from tests.conftest import make_settings

README = Path(__file__).resolve().parent.parent / "README.md"


def _first_session() -> str:
    text = README.read_text()
    section = text[text.index("## A first session with the API") :]
    section = section[: section.index("\n## ", 1)]
    return "\n".join(re.findall(r"```sh\n(.*?)```", section, re.S))


@pytest.mark.skipif(shutil.which("curl") is None, reason="the README's session uses curl")
def test_the_readme_first_session_runs_as_written(database, tmp_path):
    # As with `make run`: the data folder is ./var, and no SMTP server, so the outbox.
    settings = make_settings(data_dir=tmp_path / "var", smtp_url=None)
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings, database.app_url), log_level="warning")
    )
    thread = threading.Thread(
        target=lambda: asyncio.run(server.serve(sockets=[listening])), daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    port = listening.getsockname()[1]
    script = _first_session().replace("localhost:8000", f"localhost:{port}")
    assert "jq" not in script
    # The session again, to see its outcome: the contact exists, the address is confirmed.
    check = (
        f'curl -s -H "Authorization: Bearer $TOKEN" localhost:{port}/api/v1/me'
        f' && curl -s -H "Authorization: Bearer $TOKEN" localhost:{port}/api/v1/contacts'
    )
    try:
        done = subprocess.run(
            [shutil.which("bash") or "/bin/bash", "-euo", "pipefail", "-c", f"{script}\n{check}"],
            cwd=tmp_path,
            # The system's folders only, not the venv's: a new user's shell.
            env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        listening.close()
    assert done.returncode == 0, done.stderr
    assert '"email_verified":true' in done.stdout
    assert '"given_name":"Taras"' in done.stdout
    assert os.listdir(tmp_path / "var" / "mail-outbox")
