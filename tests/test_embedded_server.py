"""``rapport run`` and the embedded PostgreSQL, as real processes on loopback: a killed
postmaster is restarted while readiness answers 503, the server ``rapport run`` started
stops with it, one it joined stays up, and ``rapport db stop`` stops a left-over one
(issue 9, item 11).

Both tests share one data folder, so only the first pays for initdb and migrations;
each leaves no server running, whatever the order.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import httpx
import psutil
import pytest
from click.testing import CliRunner

from rapport.cli import cli
from rapport.db.embedded import pgdata, stop_embedded

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def data() -> Iterator[Path]:
    # Outside pytest's own temp root, as conftest's server is: another pytest session
    # starting meanwhile makes that root private again, which locks out the server's
    # system user (the wheel runs it as one when started as root).
    root = Path(tempfile.mkdtemp(prefix="rapport-embedded-"))
    yield root / "data"
    stop_embedded(pgdata(root / "data"))  # a failed test must not leave a server behind
    shutil.rmtree(root, ignore_errors=True)


def _env(data: Path, **extra: str) -> dict[str, str]:
    # Nothing from the caller's RAPPORT_* (a configured database, a secret) leaks in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPPORT_")}
    env.update(RAPPORT_DATA_DIR=str(data), RAPPORT_LOG_JSON="true",
               RAPPORT_LOGIN_SLOWDOWN_SECONDS="0.01", **extra)
    return env


def _rapport(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rapport.cli", *args], cwd=ROOT,
                          env=_env(data), capture_output=True, text=True, timeout=60)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _postmaster_pid(data: Path) -> int:
    return int((pgdata(data) / "postmaster.pid").read_text().splitlines()[0])


def _gone(pid: int) -> bool:
    # A killed server's process may linger as a zombie when init does not reap orphans.
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


class Served:
    """A ``rapport run`` process and its log."""

    def __init__(self, data: Path, log: Path) -> None:
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = log
        self._log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "rapport.cli", "run"], cwd=ROOT,
            env=_env(data, RAPPORT_HOST="127.0.0.1", RAPPORT_PORT=str(port),
                     RAPPORT_BASE_URL=self.base),
            stdout=self._log, stderr=subprocess.STDOUT)

    def log(self) -> str:
        return self.log_path.read_text()

    def wait_for_log(self, text: str, within: float) -> bool:
        deadline = time.monotonic() + within
        while text not in self.log():
            if time.monotonic() > deadline:
                return False
            time.sleep(0.1)
        return True

    def readyz(self) -> int | None:
        with suppress(httpx.HTTPError):  # not listening yet: None, asked again by callers
            return httpx.get(f"{self.base}/readyz", timeout=2).status_code
        return None

    def wait_ready(self, within: float) -> None:
        deadline = time.monotonic() + within
        while self.readyz() != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("rapport run did not become ready:\n" + self.log()[-3000:])
            time.sleep(0.2)

    def terminate(self) -> int:
        """SIGTERM, as a process supervisor or `docker stop` sends; the exit status."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        finally:
            self.close()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self._log.close()


def test_run_restarts_a_killed_postmaster_and_stops_it_on_sigterm(data, tmp_path):
    served = Served(data, tmp_path / "run.log")
    try:
        served.wait_ready(within=180)  # first start: initdb and every migration
        killed = _postmaster_pid(data)
        os.kill(killed, signal.SIGKILL)

        seen: list[int | None] = []
        deadline = time.monotonic() + 30
        while not seen or seen[-1] != 200:
            assert time.monotonic() < deadline, f"not ready again: {seen[-5:]}\n{served.log()}"
            seen.append(served.readyz())
            time.sleep(0.05)
        assert 503 in seen  # not ready while the server was down
        restarted = _postmaster_pid(data)
        assert restarted != killed and _gone(killed)
        # Logged once the wheel has seen the new postmaster, which may be after it answers.
        assert served.wait_for_log("embedded PostgreSQL restarted", within=60)

        # The app's pool dropped its dead connections: a write goes through again.
        slug = f"after-restart-{secrets.token_hex(4)}"
        r = httpx.post(f"{served.base}/api/v1/signup", timeout=20, json={
            "organization": {"name": "After Restart", "slug": slug},
            "admin": {"email": f"owner@{slug}.example.com", "full_name": "Olena Owner",
                      "password": "correct horse battery staple"}})
        assert r.status_code == 201, r.text

        assert served.terminate() == 0, served.log()
    finally:
        served.close()
    assert _gone(restarted), "rapport run left the embedded PostgreSQL it started running"
    assert not (pgdata(data) / "postmaster.pid").exists()


def test_run_leaves_a_server_it_joined_and_db_stop_stops_it(data, tmp_path):
    r = _rapport(data, "db", "url")  # starts the server and leaves it up, like `db shell`
    assert r.returncode == 0, r.stderr
    left_over = _postmaster_pid(data)

    served = Served(data, tmp_path / "run.log")
    try:
        served.wait_ready(within=120)
        assert _postmaster_pid(data) == left_over  # joined, not started
        assert served.terminate() == 0, served.log()
    finally:
        served.close()
    assert not _gone(left_over), "rapport run stopped a server it did not start"
    assert "left running" in served.log()

    # In-process: `db stop` starts nothing, and a fresh interpreter per call costs seconds.
    runner = CliRunner()
    stop = runner.invoke(cli, ["db", "stop"], env=_env(data))
    assert stop.exit_code == 0, stop.output
    assert f"stopped the embedded PostgreSQL in {pgdata(data)} (pid {left_over})" in stop.output
    assert _gone(left_over)

    again = runner.invoke(cli, ["db", "stop"], env=_env(data))
    assert again.exit_code == 0, again.output
    assert f"no embedded PostgreSQL is running in {pgdata(data)}" in again.output
